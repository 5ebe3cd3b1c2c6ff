# Bench stand-in settings for taigaio/taiga-back: registers import stubs (autostub.py)
# for packages Debian 12 lacks, loads the project's own settings.common (what manage.py
# uses) unchanged, then drops the stubbed apps from INSTALLED_APPS.
import autostub

STUB = ["premailer", "serpy", "djmail", "sampledatahelper", "django_sites", "rudder_analytics", "asana",
        "easy_thumbnails", "psd_tools", "sr"]
autostub.install(STUB)

# taiga pins bleach<5; Debian 12 ships bleach 5, which dropped ALLOWED_STYLES (read by
# taiga.mdrender at import time): give it back as the empty list it no longer needs.
import bleach  # noqa
if not hasattr(bleach, "ALLOWED_STYLES"):
    bleach.ALLOWED_STYLES = []

from settings.common import *  # noqa

INSTALLED_APPS = [a for a in INSTALLED_APPS if a.split(".")[0] not in STUB]
