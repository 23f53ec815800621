from django.urls import path

from . import views

urlpatterns = [
    path("", views.start, name="start"),
    path("namnd/<int:nämnd_id>/<int:år>/", views.översikt, name="översikt"),
    path("namnd/<int:nämnd_id>/<int:år>/<str:typ>/", views.rapport, name="rapport"),
]
