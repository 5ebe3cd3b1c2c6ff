# Stub: sentry_sdk.integrations.asyncio (see ../__init__.py).
from . import Integration


class AsyncioIntegration(Integration):
    pass
