# STUB standing in for the `pypika` query builder (not in Debian). Only class names are
# needed at import time (subclassing Parameter, Table(...) objects); no SQL is built.
class _Any:
    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        return _Any()

    def __call__(self, *args, **kwargs):
        return _Any()


class Parameter(_Any):
    pass


class Table(_Any):
    pass


class Query(_Any):
    pass
