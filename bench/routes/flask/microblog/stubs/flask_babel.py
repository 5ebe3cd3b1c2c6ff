# Stub standing in for Flask-Babel >= 3 (Debian 12 ships 2.0, whose init_app() lacks the
# locale_selector= argument microblog passes). Flask-Babel registers no routes; these
# no-op translations keep module-level lazy_gettext() labels importable.


def gettext(s, **kw):
    return s % kw if kw else s


_ = gettext
lazy_gettext = gettext
ngettext = lambda s, p, n, **kw: gettext(s if n == 1 else p, **kw)  # noqa: E731


def get_locale():
    return "en"


class Babel:
    def __init__(self, app=None, **kw):
        if app is not None:
            self.init_app(app, **kw)

    def init_app(self, app, **kw):
        app.extensions["babel"] = self
