"""urls_installningar (included by kommunadmin.urls): the kommun settings page and the kommun's logo."""

from django.urls import path

from . import views_installningar as v

urlpatterns = [
    path("installningar/", v.index, name="kommun-installningar-start"),
    path("<int:kommun_id>/installningar/", v.sida, name="kommun-installningar"),
    path(
        "<int:kommun_id>/installningar/importprofiler/<int:importprofil_id>/ta-bort/",
        v.ta_bort_importprofil,
        name="kommun-importprofil-ta-bort",
    ),
    path("<int:kommun_id>/logotyp.png", v.logotyp, name="kommun-logotyp"),
]
