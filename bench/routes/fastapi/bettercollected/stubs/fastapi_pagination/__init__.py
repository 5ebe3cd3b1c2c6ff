# Stub for fastapi-pagination 0.12 (not in Debian): Page[T] as a pydantic-1 generic
# response model and add_pagination() as a no-op. Neither adds or changes routes.
from typing import Generic, Sequence, TypeVar

from pydantic.generics import GenericModel

T = TypeVar("T")


class Page(GenericModel, Generic[T]):
    items: Sequence[T]
    total: int = 0
    page: int = 1
    size: int = 50
    pages: int = 0


def add_pagination(app):
    return app


def paginate(seq, params=None, **kw):
    return seq
