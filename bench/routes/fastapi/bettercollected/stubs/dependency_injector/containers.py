# Stub: dependency_injector.containers (see __init__.py).
import importlib
import pkgutil


class DeclarativeContainer:
    def wire(self, modules=None, packages=None):
        for pkg_name in packages or []:
            pkg = importlib.import_module(pkg_name)
            for info in pkgutil.walk_packages(pkg.__path__, prefix=pkg.__name__ + "."):
                importlib.import_module(info.name)
        for m in modules or []:
            if isinstance(m, str):
                importlib.import_module(m)

    def unwire(self):
        pass
