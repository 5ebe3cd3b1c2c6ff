# Stub standing in for Flask-SeaSurf (CSRF protection; not packaged in Debian 12).
# SeaSurf adds no routes: it wraps requests in before/after hooks and keeps an exempt list.


class SeaSurf:
    def __init__(self, app=None):
        self._exempt_views = set()
        if app is not None:
            self.init_app(app)

    def init_app(self, app):
        app.extensions["csrf"] = self

    def exempt(self, view):
        self._exempt_views.add(view)
        return view

    def include(self, view):
        return view
