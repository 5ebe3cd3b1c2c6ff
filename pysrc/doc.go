// Package pysrc reads a Python project's source without running it: every
// module parsed with tree-sitter, its imports and top-level definitions,
// the constant evaluator (strings, f-strings, os.getenv defaults, settings
// modules, loop variables, the branches taken) and definitions found by
// file and line. It knows no web framework: the framework homes ask it
// questions.
package pysrc
