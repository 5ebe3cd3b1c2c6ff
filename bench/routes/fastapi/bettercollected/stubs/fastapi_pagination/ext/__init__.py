# Stub: fastapi_pagination.ext (see ../__init__.py).
