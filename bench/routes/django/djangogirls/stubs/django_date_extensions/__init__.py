# Bench stub standing in for django-date-extensions (not in Debian): only the names
# djangogirls imports, as plain Django fields, so that its models and forms load.
