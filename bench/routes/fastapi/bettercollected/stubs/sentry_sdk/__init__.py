# Stub for sentry-sdk 2.x: Debian's 1.9 lacks sentry_sdk.integrations.loguru, which
# bettercollected imports. init() is a no-op (and is only called when a DSN is set).
def init(*a, **kw):
    return None


def capture_exception(*a, **kw):
    return None


def capture_message(*a, **kw):
    return None
