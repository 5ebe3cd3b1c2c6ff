# Stub for questionary (CLI prompt library, not in Debian); only the name imported.
class FormField:
    def __init__(self, *a, **kw):
        pass
