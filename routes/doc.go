// Package routes reads a Python web project's routes with the table of
// framework homes (Frameworks): statically, parsing the source
// (ExtractRoutes), or exactly, with the project's own interpreter
// (ExactRoutes).
package routes
