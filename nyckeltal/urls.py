from django.urls import path

from . import views

urlpatterns = [
    path("<int:nämnd_id>/<int:år>/volymer/", views.volymer, name="volymer-inmatning"),
    path("<int:nämnd_id>/<int:år>/indikatorer/", views.indikatorer, name="indikatorer-inmatning"),
    path("<int:nämnd_id>/<int:år>/<str:rapporttyp>/mal/", views.mål, name="mal-inmatning"),
]
