"""Settings of the lab's example Django shop (no database needed)."""
SECRET_KEY = "lab-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "shopsite.urls"
INSTALLED_APPS = ["shop"]
MIDDLEWARE = []
DATABASES = {}
USE_TZ = True
