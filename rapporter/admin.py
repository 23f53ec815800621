"""Admin: narrative texts. Layouts are edited on the layout page (rapporter.views_layout), outside the admin.

Scoping to the user's kommuner is done by ``nämnd.admin_scoping`` only.
"""

from django.contrib import admin
from django.utils.text import Truncator

from nämnd.admin_scoping import KommunScopedAdmin
from nämnd.admin_vakt import VaktadAdmin
from nämnd.vakt import Slag, Ändring

from .models import Textavsnitt


@admin.register(Textavsnitt)
class TextavsnittAdmin(VaktadAdmin, KommunScopedAdmin):
    def vaktändringar(self, obj):
        return obj.nämnd, [Ändring(Slag.TEXT, obj.år, rapporttyp=obj.rapporttyp)]

    list_display = ["rubrik", "nämnd", "år", "rapporttyp", "inledning"]
    list_filter = ["nämnd__kommun", "nämnd", "år", "rapporttyp"]
    list_select_related = ["nämnd"]
    search_fields = ["rubrik", "text"]
    fields = ["nämnd", ("år", "rapporttyp"), "rubrik", "text"]

    @admin.display(description="text")
    def inledning(self, obj):
        return Truncator(obj.text).chars(120)
