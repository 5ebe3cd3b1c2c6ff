# STUB standing in for `aiomysql` (MySQL driver of `databases`); the app builds a
# databases.Database at import time but never connects while routes are read.
class Pool:
    pass


class Connection:
    pass


class DictCursor:
    pass


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return type(name, (), {})


class connection:  # aiomysql.connection.Connection is used as an annotation
    Connection = Connection


class cursors:
    DictCursor = DictCursor
