# Stub for lima.fields (see package __init__).


class Field:
    def __init__(self, *a, **kw):
        self.kw = kw


class Integer(Field):
    pass


class String(Field):
    pass


class Boolean(Field):
    pass


class Float(Field):
    pass


class Date(Field):
    pass


class DateTime(Field):
    pass


class Embed(Field):
    pass


class Reference(Field):
    pass
