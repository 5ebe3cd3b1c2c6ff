from flask import Flask

from .converters import SlugConverter

API_PREFIX = "/api"


def create_app():
    app = Flask(__name__, static_url_path="/assets")
    app.url_map.converters["slug"] = SlugConverter

    from . import views
    from .admin import admin
    from .api import api, v2

    api.register_blueprint(v2, url_prefix="/v2")
    app.register_blueprint(api, url_prefix=API_PREFIX)
    app.register_blueprint(admin, url_prefix="/admin")
    app.register_blueprint(views.site)
    app.add_url_rule("/healthz", view_func=views.healthz)
    return app
