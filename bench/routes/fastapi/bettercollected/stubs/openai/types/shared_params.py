# Stub: openai.types.shared_params (see ../__init__.py).
from typing import TypedDict


class ResponseFormatJSONObject(TypedDict, total=False):
    type: str
