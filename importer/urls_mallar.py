"""Template imports, Kolada upload and the xlsx/csv exports (included under /import/)."""

from django.urls import path

from . import views_egentabell as egen
from . import views_mallar as v

urlpatterns = [
    path("mallar/<str:typ>.xlsx", v.importmall, name="importmall"),
    path("mallar/<int:nämnd_id>/", v.start, name="mallimport"),
    path("mallar/<int:nämnd_id>/granska/<int:import_id>/", v.granska, name="mallimport-granska"),
    path("mallar/<int:nämnd_id>/klar/<int:import_id>/", v.resultat, name="mallimport-resultat"),
    path("mallar/<int:nämnd_id>/tabell/<int:tabell_id>/<int:år>/", egen.ladda_upp, name="egentabell-import"),
    path(
        "mallar/<int:nämnd_id>/tabell/<int:tabell_id>/<int:år>/granska/<int:import_id>/",
        egen.granska,
        name="egentabell-import-granska",
    ),
    path("mallar/<int:nämnd_id>/tabell/<int:tabell_id>/<int:år>/mall.xlsx", egen.mall, name="egentabell-mall"),
    path("mallar/<int:nämnd_id>/<str:typ>/", v.ladda_upp, name="mallimport-ladda-upp"),
    path("mallar/<int:nämnd_id>/<str:typ>/<int:år>.xlsx", v.ifylld_importmall, name="importmall-ifylld"),
    path("export/<int:nämnd_id>/<int:år>/manad-<int:månad>.xlsx", v.export_manad, name="export-manad"),
    path("export/<int:nämnd_id>/<int:år>/<str:typ>/", v.export_lista, name="export-lista"),
    path("export/<int:nämnd_id>/<int:år>/<str:typ>/<str:tabell>.xlsx", v.export_tabell, name="export-tabell"),
    path(
        "export/<int:nämnd_id>/<int:år>/<str:typ>/<str:tabell>.csv",
        v.export_tabell,
        {"format": "csv"},
        name="export-tabell-csv",
    ),
]
