# Stand-in for classy-fastapi 0.3.0 (GitLab-hosted; the 0.2.12 copies on GitHub do not
# import on Python 3.11). Written for this benchmark with the same behaviour as the
# library: @get/@post/... only mark a method; a metaclass collects the marked methods of
# the class body into _endpoints; Routable(*args, **kwargs) builds
# APIRouter(*args, **kwargs) and adds each endpoint as partial(method, self) with the
# decorator's path, methods and keyword arguments (name defaults to the method's
# name, description to its docstring). Websocket endpoints of later versions are left out
# (bettercollected has none).
import inspect
from functools import partial

from fastapi.routing import APIRouter


class _Endpoint:
    def __init__(self, fn, path, methods, kwargs):
        self.fn = fn
        self.path = path
        self.methods = methods
        self.kwargs = kwargs


def route(path, methods, **kwargs):
    def marker(fn):
        kw = dict(kwargs)
        kw.setdefault("name", fn.__name__)
        if not kw.get("description"):
            kw["description"] = inspect.cleandoc(fn.__doc__ or "") or " "
        fn._endpoint = _Endpoint(fn, path, list(methods), kw)
        return fn
    return marker


def get(path, **kw):
    return route(path, ["GET"], **kw)


def post(path, **kw):
    return route(path, ["POST"], **kw)


def put(path, **kw):
    return route(path, ["PUT"], **kw)


def patch(path, **kw):
    return route(path, ["PATCH"], **kw)


def delete(path, **kw):
    return route(path, ["DELETE"], **kw)


def head(path, **kw):
    return route(path, ["HEAD"], **kw)


def options(path, **kw):
    return route(path, ["OPTIONS"], **kw)


class RoutableMeta(type):
    def __new__(mcs, name, bases, attrs):
        attrs["_endpoints"] = [v._endpoint for v in attrs.values()
                               if inspect.isfunction(v) and hasattr(v, "_endpoint")]
        return super().__new__(mcs, name, bases, attrs)


class Routable(metaclass=RoutableMeta):
    _endpoints = []

    def __init__(self, *args, **kwargs):
        self.router = APIRouter(*args, **kwargs)
        for ep in self._endpoints:
            # like the library: a bare functools.partial (no __name__/__module__ copied),
            # so a route's endpoint is a partial and its method name is only in route.name
            self.router.add_api_route(ep.path, partial(ep.fn, self), methods=ep.methods, **ep.kwargs)
