# Stub: sentry_sdk.integrations (see ../__init__.py).
class Integration:
    def __init__(self, *a, **kw):
        pass
