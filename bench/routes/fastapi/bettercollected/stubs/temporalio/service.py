# Stub: temporalio.service (see __init__.py).
class RPCError(Exception):
    pass
