# Bench stand-in settings for zestedesavoir/zds-site: registers import stubs
# (autostub.py) for packages Debian 12 lacks, loads the project's own zds.settings.dev
# (what manage.py uses) unchanged, then drops the stubbed apps from INSTALLED_APPS.
import autostub

STUB = ["homoglyphs", "geoip2", "crispy_forms_bootstrap2", "dry_rest_permissions", "easy_thumbnails", "django_recaptcha", "uuslug",
        "typesense", "selenium"]
autostub.install(STUB)

from zds.settings.dev import *  # noqa

INSTALLED_APPS = [a for a in INSTALLED_APPS if a.split(".")[0] not in STUB]
