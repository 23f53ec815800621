from django.urls import path

from . import views

urlpatterns = [
    path("<int:nämnd_id>/<int:år>/", views.månader, name="månader"),
    path("<int:nämnd_id>/<int:år>/<int:månad>/", views.månadsuppföljning, name="månadsuppföljning"),
]
