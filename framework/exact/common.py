"""Shared by cdnadvise's exact-mode scripts (prepended to each): the source
root, stdout kept for the JSON, network access disabled, and where a view is
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


socket.socket.connect = _guard(socket.socket.connect)
socket.socket.connect_ex = _guard(socket.socket.connect_ex)
socket.socket.bind = _guard(socket.socket.bind)


def rel(path):
    if not path:
        return ""
    real = os.path.realpath(path)
    if real == SRC or real.startswith(SRC + os.sep):
        return os.path.relpath(real, SRC).replace(os.sep, "/")
    return path


def where(obj):
    """File (relative to SRC when inside) and first line of obj's definition."""
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
    """The app object of MODULE:VARIABLE (dotted attributes allowed); a
    factory (an object without the attribute marker that is callable, such as
    create_app) is called."""
    import importlib
    modname, _, var = target.partition(":")
    app = importlib.import_module(modname)
    for part in (var or "app").split("."):
        app = getattr(app, part)
    if not hasattr(app, marker) and callable(app):
        app = app()
    return app


def names(obj):
    """Module and qualified name of obj (unwrapped)."""
    try:
        obj = inspect.unwrap(obj)
    except Exception:
        pass
    mod = getattr(obj, "__module__", None) or type(obj).__module__
    q = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__qualname__
    return mod, q
