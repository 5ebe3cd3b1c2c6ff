# Stub standing in for Flask-Moment (not packaged in Debian 12). Flask-Moment only adds
# Jinja helpers for moment.js and registers no routes, so an init_app that does nothing
# leaves the url_map exactly as the real extension would.


class Moment:
    def __init__(self, app=None):
        if app is not None:
            self.init_app(app)

    def init_app(self, app):
        app.extensions["moment"] = self
