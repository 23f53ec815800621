"""The kommun's own administration (included under /kommun/)."""

from django.urls import include, path

urlpatterns = [
    path("", include("kommunadmin.urls_installningar")),
    path("", include("kommunadmin.urls_start")),
]
