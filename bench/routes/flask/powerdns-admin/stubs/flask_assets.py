# Stub standing in for Flask-Assets (webassets integration; not packaged in Debian 12).
# It registers no routes: bundles are built into the app's own static folder.


class Filter:
    name = None

    def __init__(self, *a, **kw):
        pass


class Bundle:
    def __init__(self, *contents, **options):
        self.contents = contents
        self.options = options


class Environment:
    def __init__(self, app=None):
        self._named = {}
        if app is not None:
            self.init_app(app)

    def register(self, name, bundle, *more, **kw):
        self._named[name] = bundle

    def init_app(self, app):
        app.jinja_env.assets_environment = self
