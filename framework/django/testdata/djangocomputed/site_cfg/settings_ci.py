# Another settings module with the same names: manage.py names site_cfg.settings.
ROOT_URLCONF = "site_cfg.urls"
API_PREFIX = "ci-api"
