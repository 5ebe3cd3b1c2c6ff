# Stub: temporalio.client (see __init__.py).
class _Any:
    def __init__(self, *a, **kw):
        pass


class Client(_Any):
    @classmethod
    async def connect(cls, *a, **kw):
        return cls()


class Schedule(_Any): pass
class ScheduleActionStartWorkflow(_Any): pass
class ScheduleSpec(_Any): pass
class ScheduleIntervalSpec(_Any): pass
class ScheduleUpdateInput(_Any): pass
class ScheduleUpdate(_Any): pass


class ScheduleAlreadyRunningError(Exception):
    pass
