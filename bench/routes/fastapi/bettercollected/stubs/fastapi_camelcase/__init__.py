# Stub for fastapi-camelcase 1.0.5 (not in Debian): CamelModel, a pydantic model whose
# field aliases are camelCase (same behaviour as the package, written here).
from pydantic import BaseModel


def _camel(s):
    head, *rest = s.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


class CamelModel(BaseModel):
    class Config:
        alias_generator = _camel
        allow_population_by_field_name = True
