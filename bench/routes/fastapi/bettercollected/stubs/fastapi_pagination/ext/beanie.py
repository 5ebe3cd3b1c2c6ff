# Stub: fastapi_pagination.ext.beanie.paginate (see ../__init__.py); not called at import.
async def paginate(query, params=None, **kw):
    raise NotImplementedError("fastapi_pagination stub")
