# Bench stand-in settings for DjangoGirls/djangogirls: loads the project's own
# djangogirls.settings unchanged, after registering import stubs (autostub.py) for
# packages Debian 12 lacks, and drops the INSTALLED_APPS entries of stubbed packages.
import autostub

STUB = ["adminsortable2", "django_unused_media", "markdown_deux",
        "easy_thumbnails", "captcha", "gulp_rev", "autoslug", "leaflet", "urlextract",
        "slack_sdk", "trello", "sendgrid_backend"]
autostub.install(STUB)

from djangogirls.settings import *  # noqa

INSTALLED_APPS = [a for a in INSTALLED_APPS if a.split(".")[0] not in STUB]
