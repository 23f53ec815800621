"""urls_start (included by kommunadmin.urls): Ny kommun, the checklist, users and roles."""

from django.urls import path

from . import views_start as v

urlpatterns = [
    path("ny/", v.ny_kommun, name="kommun-ny"),
    path("<int:kommun_id>/kom-igang/", v.kom_igång, name="kommun-kom-igang"),
    path("<int:kommun_id>/anvandare/", v.användare, name="kommun-anvandare"),
    path("<int:kommun_id>/anvandare/<int:behorighet_id>/", v.användare_ändra, name="kommun-anvandare-andra"),
    path(
        "<int:kommun_id>/anvandare/<int:behorighet_id>/ta-bort/", v.användare_ta_bort, name="kommun-anvandare-ta-bort"
    ),
]
