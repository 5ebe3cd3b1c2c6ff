# Bench stand-in settings for OpenDroneMap/WebODM: registers import stubs (autostub.py)
# for packages Debian 12 lacks, loads the project's webodm.settings unchanged, drops the
# stubbed apps from INSTALLED_APPS, and marks the process as a worker so that
# app/urls.py skips boot() (which writes to the PostGIS database). No database is
# reached: the plugin list read by root_url_patterns() fails softly and is empty.
import autostub

STUB = ["codemirror2", "rio_tiler", "rio_cogeo", "zipstream", "numexpr"]
autostub.install(STUB)

import webodm.settings as _real  # noqa
from webodm.settings import *  # noqa

_real.WORKER_RUNNING = True
WORKER_RUNNING = True
INSTALLED_APPS = [a for a in INSTALLED_APPS if a.split(".")[0] not in STUB]
