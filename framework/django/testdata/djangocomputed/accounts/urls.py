from django.urls import path

from . import views

urlpatterns = [
    path("accounts/login/", views.login, name="login"),
    path("projects/<uuid:code>/", views.ProjectView.as_view(), name="project"),
]
