import os

import environ

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
ROOT_URLCONF = "site_cfg.urls"
SITE_ROOT = os.getenv("SITE_ROOT", "http://localhost:8000").removesuffix("/")
API_PREFIX = env("API_PREFIX", default="api/v2")
MEDIA_URL = "/media/"
MEDIA_ROOT = "/srv/media"
ENABLE_SIGNUP = True
