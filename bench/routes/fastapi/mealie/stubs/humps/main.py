# STUB standing in for `pyhumps` (not in Debian): minimal camelize()/decamelize().
import re


def camelize(s):
    if isinstance(s, str):
        parts = s.split("_")
        return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])
    if isinstance(s, dict):
        return {camelize(k): v for k, v in s.items()}
    return s


def decamelize(s):
    if isinstance(s, str):
        return re.sub(r"(?<!^)(?=[A-Z])", "_", s).lower()
    return s
