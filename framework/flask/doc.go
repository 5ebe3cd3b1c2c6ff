// Package flask is Flask's home: apps and blueprints, register_blueprint
// chains, route decorators and add_url_rule, method views, the static
// route and converters, its exact-mode script (app.url_map), Werkzeug's
// rule matching, and its patch style (@cache_control_header from a
// generated module).
package flask
