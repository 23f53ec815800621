from django.urls import path

from . import views

urlpatterns = [
    path("rapport/<int:nämnd_id>/<int:år>/<str:typ>/", views.ärende, name="rapportärende"),
    path("rapport/<int:nämnd_id>/<int:år>/<str:typ>/tidplan/", views.tidplan_sida, name="rapport-tidplan"),
    path("sent/<int:kommun_id>/", views.sena_sektioner, name="sena-sektioner"),
    path("rapport/<int:nämnd_id>/<int:år>/<str:typ>/<str:åtgärd>/", views.åtgärd, name="rapportärende-åtgärd"),
    path("version/<int:version_id>.pdf", views.version_pdf, name="rapportversion-pdf"),
]

publika = [
    path("<str:kommunkod>/", views.publikt_index, name="publikt-index"),
    path("<str:kommunkod>/rapport/<int:version_id>/", views.publikt_rapport, name="publikt-rapport"),
    path("<str:kommunkod>/rapport/<int:version_id>.pdf", views.publikt_pdf, name="publikt-pdf"),
]
