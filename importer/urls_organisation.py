"""The organisation import and export of a kommun (included under /import/)."""

from django.urls import path

from . import views_organisation as v

urlpatterns = [
    path("organisation/<int:kommun_id>/", v.ladda_upp, name="import-organisation"),
    path("organisation/<int:kommun_id>/granska/<int:import_id>/", v.granska, name="import-organisation-granska"),
    path("organisation/<int:kommun_id>/klar/<int:import_id>/", v.resultat, name="import-organisation-resultat"),
    path("organisation/<int:kommun_id>/organisation.xlsx", v.export_xlsx, name="export-organisation"),
    path("organisation/<int:kommun_id>/organisation.csv", v.export_csv, name="export-organisation-csv"),
]
