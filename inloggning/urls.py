"""/oidc/…: the URL names are mozilla-django-oidc's, which its views and middleware look up."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import views

urlpatterns = [
    path("authenticate/", login_not_required(views.Start.as_view()), name="oidc_authentication_init"),
    path("callback/", login_not_required(views.Återkoppling.as_view()), name="oidc_authentication_callback"),
]
