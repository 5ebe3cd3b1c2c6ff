# Stub for openai 1.x (not in Debian): AsyncOpenAI client class; no request is made.
class AsyncOpenAI:
    def __init__(self, *a, **kw):
        pass
