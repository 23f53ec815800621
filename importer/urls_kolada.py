"""The Kolada comparison page of an indikator (included under /import/)."""

from django.urls import path

from . import views_kolada as v

urlpatterns = [
    path("kolada/indikator/<int:indikator_id>/<int:år>/", v.jämförelse, name="kolada-jamforelse"),
]
