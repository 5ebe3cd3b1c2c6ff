from django.urls import path

from . import views

urlpatterns = [
    path("contact/", views.contact, name="contact"),
    path("<slug:slug>/", views.post, name="post"),
    path("", views.index),
]
