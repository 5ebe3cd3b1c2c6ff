# STUB standing in for `aioredis` 2.x (Debian only has 1.3, a different API). OPAL only
# imports it for its Redis-backed scope store; nothing connects while routes are built.
class Redis:
    def __init__(self, *args, **kwargs):
        pass


def from_url(*args, **kwargs):
    return Redis()
