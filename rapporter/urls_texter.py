from django.urls import path

from . import texter

urlpatterns = [
    path("<int:nämnd_id>/<int:år>/<str:rapporttyp>/", texter.texter, name="texter"),
]
