# Stub: sentry_sdk.integrations.loguru (see ../__init__.py).
from . import Integration


class LoguruIntegration(Integration):
    pass
