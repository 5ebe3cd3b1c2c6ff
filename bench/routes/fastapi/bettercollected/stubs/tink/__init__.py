# Stub for tink (Google Tink crypto, not in Debian): only the names bettercollected's
# crypto service uses; nothing here runs at import time.
class JsonKeysetReader:
    def __init__(self, *a, **kw):
        pass
