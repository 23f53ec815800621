from django.urls import path

from . import texter, views_egentabeller

urlpatterns = [
    path("<int:nämnd_id>/<int:år>/<str:rapporttyp>/", texter.texter, name="texter"),
    path("<int:nämnd_id>/<int:år>/tabeller/<int:tabell_id>/", views_egentabeller.rader, name="egentabell-rader"),
]
