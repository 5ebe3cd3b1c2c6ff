# Stub: temporalio.common (see __init__.py).
class RetryPolicy:
    def __init__(self, *a, **kw):
        pass
