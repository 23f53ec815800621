from django.urls import path

from . import views, views_omrade

urlpatterns = [
    path("", views.start, name="start"),
    path("namnd/<int:nämnd_id>/<int:år>/", views.översikt, name="översikt"),
    path("namnd/<int:nämnd_id>/<int:år>/<str:typ>/", views.rapport, name="rapport"),
    path("namnd/<int:nämnd_id>/<int:år>/omrade/<int:område_id>/", views_omrade.område, name="område-månader"),
]
