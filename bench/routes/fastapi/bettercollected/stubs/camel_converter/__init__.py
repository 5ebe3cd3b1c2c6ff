# Stub for camel-converter (not in Debian): to_camel / to_snake string helpers.
import re


def to_camel(s):
    head, *rest = s.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def to_snake(s):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", s).lower()
