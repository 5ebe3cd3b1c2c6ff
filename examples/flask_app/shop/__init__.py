"""Example shop for the cdnadvise lab (Flask under gunicorn).

The same routes as the FastAPI and Django examples, in Flask's idioms: an app
factory, a blueprint for the API, the static folder. Sends no Cache-Control
until `cdnadvise patch` adds it; gunicorn writes the access log (combined
plus the time in microseconds).
"""
from flask import Flask


def create_app():
    app = Flask(__name__)

    from . import views
    from .api import api
    from .family import family

    app.register_blueprint(views.site)
    app.register_blueprint(api, url_prefix="/api")
    app.register_blueprint(family, url_prefix="/api/family")
    return app
