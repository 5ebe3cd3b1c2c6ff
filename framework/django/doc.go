// Package django is Django's home (with Django REST framework): its
// urlpatterns walk (path, re_path, include, converters, i18n_patterns, DRF
// routers and viewsets), its exact-mode script (get_resolver), the CSRF
// cookie and the Vary headers of its middleware and decorators, how its
// resolver matches a path, and its patch style (@cache_control,
// @method_decorator, @cache_control_safe).
package django
