# Stub for temporalio (Temporal SDK, Rust core, not in Debian): the names bettercollected
# imports; no connection is made at import time.
