# Stub package standing in for bravado-core (Swagger 2.0 validation; not in Debian 12).
# PowerDNS-Admin loads its swagger spec at import time only to validate API payloads
# later; no routes come from it.
