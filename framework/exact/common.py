"""Shared by cdnadvise's exact-mode scripts (prepended to each): the source
root, stdout kept for the JSON, network access disabled (sockets bound only
to an ephemeral loopback port), and where a view is
defined. Run with the project's interpreter: python -c SCRIPT SRC [...].
"""
import inspect
import json
import os
import re
import socket
import sys

SRC = os.path.realpath(sys.argv[1])
OUT = sys.stdout
sys.stdout = sys.stderr


def _no_network(*args, **kwargs):
    raise OSError("network access is disabled while cdnadvise reads the routes")


def _guard(orig):
    def guarded(self, address, *args, **kwargs):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _no_network()
        return orig(self, address, *args, **kwargs)
    return guarded


def _loopback_bind(orig):
    # A server made at import time (waitress' create_server in a module)
    # gets a socket, on an ephemeral loopback port: refusing it sends some
    # projects into retry loops, and no other host can reach it.
    def bind(self, address, *args, **kwargs):
        if self.family == socket.AF_INET:
            address = ("127.0.0.1", 0)
        elif self.family == socket.AF_INET6:
            address = ("::1", 0)
        return orig(self, address, *args, **kwargs)
    return bind


socket.socket.connect = _guard(socket.socket.connect)
socket.socket.connect_ex = _guard(socket.socket.connect_ex)
socket.socket.bind = _loopback_bind(socket.socket.bind)


def rel(path):
    if not path:
        return ""
    real = os.path.realpath(path)
    if real == SRC or real.startswith(SRC + os.sep):
        return os.path.relpath(real, SRC).replace(os.sep, "/")
    return path


def where(obj):
    """File (relative to SRC when inside) and first line of obj's definition."""
    obj = unpartial(obj)
    try:
        obj = inspect.unwrap(obj)
    except Exception:
        pass
    try:
        f = inspect.getsourcefile(obj)
        _, first = inspect.getsourcelines(obj)
        return rel(f), first
    except Exception:
        code = getattr(obj, "__code__", None)
        if code is not None:
            return rel(code.co_filename), code.co_firstlineno
        return "", 0


def load_app(target, marker):
    """The app object of MODULE:VARIABLE (dotted attributes allowed), or of
    MODULE:factory(ARGS) with literal arguments (as Flask's --app takes
    them); a factory named without arguments (an object without the
    attribute marker that is callable, such as create_app) is called."""
    import ast
    import importlib
    modname, _, var = target.partition(":")
    app = importlib.import_module(modname)
    args, kwargs, call = [], {}, False
    var = (var or "app").strip()
    if var.endswith(")") and "(" in var:
        try:
            node = ast.parse(var, mode="eval").body
        except SyntaxError:
            raise SystemExit("--app %r: not MODULE:VARIABLE or MODULE:factory(literal arguments)" % target)
        if not isinstance(node, ast.Call):
            raise SystemExit("--app %r: not a call" % target)
        try:
            args = [ast.literal_eval(a) for a in node.args]
            kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
        except ValueError:
            raise SystemExit("--app %r: a factory's arguments must be literals" % target)
        var, call = var[:var.index("(")].strip(), True  # ast.unparse needs Python 3.9
    for part in var.split("."):
        app = getattr(app, part)
    if call or (not hasattr(app, marker) and callable(app)):
        app = app(*args, **kwargs)
    return app


def unpartial(obj):
    """The function under functools.partial layers (classy-fastapi registers
    partial(method, self) as the endpoint)."""
    import functools
    for _ in range(8):
        if isinstance(obj, functools.partial):
            obj = obj.func
        else:
            break
    return obj


def names(obj):
    """Module and qualified name of obj (unwrapped)."""
    obj = unpartial(obj)
    try:
        obj = inspect.unwrap(obj)
    except Exception:
        pass
    mod = getattr(obj, "__module__", None) or type(obj).__module__
    q = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__qualname__
    return mod, q
