# Stub: temporalio.exceptions (see __init__.py).
class WorkflowAlreadyStartedError(Exception):
    pass
