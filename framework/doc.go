// Package framework is the contract between cdnadvise and the web
// frameworks it reads (Framework, implemented once per framework in
// framework/django, framework/fastapi and framework/flask) and what the
// homes share: the route table (Route, Routes) and how a request path
// finds its route, the exact-mode runner and its diff with the static
// pass, the patch writer, the app-object walker of FastAPI and Flask, the
// Cache-Control a view keeps and the markers of per-user views.
package framework
