# Stub for elasticapm (Elastic APM agent), not packaged by Debian. Only the names
# bettercollected imports; no APM is set up (the app adds it only when configured).
