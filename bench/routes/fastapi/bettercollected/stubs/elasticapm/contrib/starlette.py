# Stub for elasticapm.contrib.starlette: ElasticAPM middleware and make_apm_client.
class ElasticAPM:
    def __init__(self, app, client=None, **kw):
        self.app = app

    async def __call__(self, scope, receive, send):
        await self.app(scope, receive, send)


def make_apm_client(*a, **kw):
    return None
