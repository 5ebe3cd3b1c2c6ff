// Package fastapi is FastAPI's home: apps and routers, include_router and
// mount chains, route decorators and add_api_route, FastAPI's own
// documentation routes, its exact-mode script (app.routes), Starlette's
// path matching, and its patch style (a middleware keyed by route).
package fastapi
