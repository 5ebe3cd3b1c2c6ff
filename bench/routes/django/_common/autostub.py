"""Bench stub: stands in for third-party packages a corpus project imports but that
Debian does not ship (written for bench/routes; not the package's code).

install(names) registers an import hook: importing any of `names` (or a submodule)
gives an empty package whose every attribute is a placeholder class (capitalised
names) or a placeholder instance (other names). A placeholder
class used as a decorator (called with one function or class) returns its argument
unchanged, so decorated views keep their own identity; called otherwise it returns an
inert instance. Only the URL list is read from the project, so nothing is ever run.
"""
import importlib.abc
import importlib.machinery
import os
import sys
import types

STUBBED = set()


def _placeholder(name):
    def __new__(cls, *a, **k):
        if len(a) == 1 and not k and (isinstance(a[0], (types.FunctionType, type))):
            return a[0]
        return object.__new__(cls)

    def __init__(self, *a, **k):
        pass

    def __call__(self, *a, **k):
        if len(a) == 1 and not k and callable(a[0]):
            return a[0]
        return _placeholder("call")()

    def __getattr__(self, n):
        if n.startswith("__"):
            raise AttributeError(n)
        return _placeholder(n)()

    base = object
    if name.endswith("Warning"):
        base = Warning
    elif name.endswith(("Error", "Exception")):
        base = Exception
    if base is not object:
        return type(name, (base,), {})
    return type(name, (object,), {"__new__": __new__, "__init__": __init__,
                                  "__call__": __call__, "__getattr__": __getattr__,
                                  "__iter__": lambda self: iter(()),
                                  "__bool__": lambda self: False})


class _StubModule(types.ModuleType):
    def __getattr__(self, n):
        if n.startswith("__"):
            raise AttributeError(n)
        v = _placeholder(n)
        if n[:1].islower():
            v = v()  # lower-case names are functions/objects: an inert callable instance
        setattr(self, n, v)
        return v


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, names, catch_all=False):
        self.names = set(names)
        self.catch_all = catch_all

    def _match(self, fullname):
        top = fullname.split(".")[0]
        return top in self.names

    def find_spec(self, fullname, path=None, target=None):
        if self._match(fullname):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        m = _StubModule(spec.name)
        m.__path__ = []
        m.__file__ = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_stubpkg", spec.name.replace(".", "/"), "__init__.py")
        STUBBED.add(spec.name.split(".")[0])
        return m

    def exec_module(self, module):
        pass


class _CatchAll(_Finder):
    """BENCH_AUTOSTUB=1: stub every top-level module that no other finder has (discovery only)."""

    def find_spec(self, fullname, path=None, target=None):
        if "." in fullname and fullname.split(".")[0] not in STUBBED:
            return None
        if "." not in fullname:
            for f in sys.meta_path:
                if f is self or isinstance(f, _Finder):
                    continue
                try:
                    if f.find_spec(fullname, path, target) is not None:
                        return None
                except Exception:
                    pass
            sys.stderr.write("autostub: stubbing %s\n" % fullname)
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)


def install(names):
    sys.meta_path.insert(0, _Finder(names))
    if os.environ.get("BENCH_AUTOSTUB") == "1":
        sys.meta_path.append(_CatchAll(()))
