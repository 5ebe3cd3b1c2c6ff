# STUB standing in for `rapidfuzz` (not installed from Debian): imported by mealie modules but only
# used inside request handlers / services at run time, never while routes are built.
class _Dummy:
    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        return _Dummy()

    def __call__(self, *args, **kwargs):
        return _Dummy()


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return _Dummy()
