"""The layout page for a kommun's admins, mounted at /layout/."""

from django.urls import path

from . import views_egentabeller as egna
from . import views_layout as v

urlpatterns = [
    path("", v.index, name="layout-start"),
    path("<int:kommun_id>/tillfallen/", v.tillfällen, name="layout-tillfällen"),
    path("<int:kommun_id>/export/", v.exportera, name="layout-export"),
    path("<int:kommun_id>/tabeller/", egna.lista, name="egentabeller"),
    path("<int:kommun_id>/tabeller/<int:tabell_id>/", egna.definition, name="egentabell"),
    path("<int:kommun_id>/<str:typ>/", v.sida, name="layout"),
    path("<int:kommun_id>/<str:typ>/forhandsvisning/", v.förhandsvisning, name="layout-förhandsvisning"),
    path("<int:kommun_id>/<str:typ>/avsnitt/", v.nytt_avsnitt, name="layout-avsnitt"),
    path("<int:kommun_id>/<str:typ>/import/", v.importera, name="layout-import"),
]
