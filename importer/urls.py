from django.urls import include, path

urlpatterns = [
    path("", include("importer.urls_utfall")),
    path("", include("importer.urls_mallar")),
    path("", include("importer.urls_organisation")),
    path("", include("importer.urls_kolada")),
]
