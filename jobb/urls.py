from django.urls import path

from . import views

urlpatterns = [
    path("<uuid:jobb_id>/", views.status, name="jobb-status"),
    path("<uuid:jobb_id>/kor-igen/", views.kör_igen, name="jobb-kor-igen"),
]
