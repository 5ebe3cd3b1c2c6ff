# Bench stub for rest_framework_jwt.settings (see __init__.py).
class _Settings:
    def __getattr__(self, name):
        return lambda *a, **k: None


api_settings = _Settings()
