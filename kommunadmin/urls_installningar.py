"""urls_installningar (included by kommunadmin.urls)."""

urlpatterns: list = []
