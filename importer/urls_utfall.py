"""Utfall from the ekonomisystem and the import history (included under /import/)."""

from django.urls import path

from . import views_utfall as v

urlpatterns = [
    path("utfall/<int:nämnd_id>/", v.ladda_upp, name="import-utfall"),
    path("utfall/<int:nämnd_id>/<int:import_id>/", v.granska, name="import-utfall-granska"),
    path("utfall/<int:nämnd_id>/<int:import_id>/avbryt/", v.avbryt, name="import-utfall-avbryt"),
    path("historik/<int:nämnd_id>/", v.historik, name="import-historik"),
    path("historik/<int:nämnd_id>/<int:import_id>/", v.detalj, name="import-detalj"),
]
