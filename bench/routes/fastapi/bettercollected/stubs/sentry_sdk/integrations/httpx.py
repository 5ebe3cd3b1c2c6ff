# Stub: sentry_sdk.integrations.httpx (see ../__init__.py).
from . import Integration


class HttpxIntegration(Integration):
    pass
