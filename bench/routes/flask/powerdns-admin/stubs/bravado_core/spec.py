# Stub for bravado_core.spec (see package __init__).


class Spec:
    def __init__(self, spec_dict=None, config=None):
        self.spec_dict = spec_dict or {}
        self.config = config or {}
        self.definitions = {}

    @classmethod
    def from_dict(cls, spec_dict, origin_url=None, http_client=None, config=None):
        return cls(spec_dict, config)
