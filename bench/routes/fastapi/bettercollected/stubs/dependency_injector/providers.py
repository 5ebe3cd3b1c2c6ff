# Stub: dependency_injector.providers (see __init__.py).


def _resolve(v):
    return v() if isinstance(v, Provider) else v


class Provider:
    def __init__(self, provides=None, *args, **kwargs):
        self.provides = provides
        self.args = args
        self.kwargs = kwargs

    def _make(self):
        args = [_resolve(a) for a in self.args]
        kwargs = {k: _resolve(v) for k, v in self.kwargs.items()}
        return self.provides(*args, **kwargs)

    def __call__(self, *a, **kw):
        return self._make()


class Factory(Provider):
    pass


class Singleton(Provider):
    _unset = object()

    def __call__(self, *a, **kw):
        if getattr(self, "_inst", self._unset) is self._unset:
            self._inst = self._make()
        return self._inst


ThreadSafeSingleton = Singleton


class Object(Provider):
    def __call__(self, *a, **kw):
        return self.provides


class Callable(Provider):
    pass


class Resource(Singleton):
    pass


class Dict(Provider):
    def __init__(self, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs

    def __call__(self, *a, **kw):
        d = dict(*self.args)
        d.update({k: _resolve(v) for k, v in self.kwargs.items()})
        return d


class List(Provider):
    def __init__(self, *args):
        self.args = args

    def __call__(self, *a, **kw):
        return [_resolve(v) for v in self.args]


class Configuration(Provider):
    def __init__(self, *a, **kw):
        pass

    def __call__(self, *a, **kw):
        return {}
