from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from jobb import views as jobb_views
from publicering import urls as publicering_urls
from publicering import views as publicering_views
from socialreports.halsa import halsa

urlpatterns = [
    path("halsa/", login_not_required(halsa), name="hälsa"),
    path("admin/", admin.site.urls),
    path("logga-in/", auth_views.LoginView.as_view(), name="login"),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("oidc/", include("inloggning.urls")),
    path("ekonomi/", include("ekonomi.urls")),
    path("nyckeltal/", include("nyckeltal.urls")),
    path("organisation/", include("uppfoljning.urls")),
    path("texter/", include("rapporter.urls_texter")),
    path("layout/", include("rapporter.urls_layout")),
    path("import/", include("importer.urls")),
    path("jobb/", include("jobb.urls")),
    path("kommun/", include("kommunadmin.urls")),
    path("publicering/", include("publicering.urls")),
    path("publikt/", include(publicering_urls.publika)),
    path("tillganglighet/", publicering_views.tillgänglighet, name="tillgänglighet"),
    # A report's PDF is the workflow layer's (archived file or a job); its page is rapporter's.
    path("namnd/<int:nämnd_id>/<int:år>/<str:typ>.pdf", jobb_views.rapport_pdf, name="rapport-pdf"),
    path("", include("rapporter.urls")),
]
