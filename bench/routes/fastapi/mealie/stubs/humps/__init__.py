# STUB standing in for `pyhumps` (not in Debian): only camelize() is used (pydantic alias generator).
from .main import camelize, decamelize  # noqa: F401
