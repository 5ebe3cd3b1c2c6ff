from werkzeug.routing import BaseConverter


class SlugConverter(BaseConverter):
    regex = r"[a-z0-9-]+"
