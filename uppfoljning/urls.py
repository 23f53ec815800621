"""Follow-up pages, mounted at /organisation/ (the paths and names they had under nämnd)."""

from django.urls import path

from . import views

urlpatterns = [
    path("namnd/<int:nämnd_id>/<int:år>/", views.dashboard, name="dashboard"),
    path("namnd/<int:nämnd_id>/<int:år>/perioder/", views.perioder, name="perioder"),
    path("namnd/<int:nämnd_id>/<int:år>/historik/", views.historik_nämnd, name="historik-nämnd"),
    path("namnd/<int:nämnd_id>/<int:år>/nytt-ar/", views.nytt_år, name="nytt-år"),
    path("historik/<str:modell>/<int:pk>/", views.historik_rad, name="historik-rad"),
]
