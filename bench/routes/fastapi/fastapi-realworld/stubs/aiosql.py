# STUB standing in for the `aiosql` package (not in Debian). The app only calls
# aiosql.from_path(...) at import time to build a query namespace; routes do not depend on it.
class _Queries:
    def __getattr__(self, name):
        async def _q(*args, **kwargs):
            raise RuntimeError("aiosql stub")
        return _q


def from_path(*args, **kwargs):
    return _Queries()
