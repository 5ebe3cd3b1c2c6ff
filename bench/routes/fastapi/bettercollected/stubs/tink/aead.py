# Stub: tink.aead (see __init__.py).
class Aead:
    pass


def register():
    pass
