# STUB standing in for `pandas` (heavy, not needed for routing): imported by
# app/common/services/file.py, used only inside a service call.
def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise RuntimeError("pandas stub")
