"""urls_start (included by kommunadmin.urls)."""

urlpatterns: list = []
