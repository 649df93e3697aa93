from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from cmdb.views import ProfileView
from config.views import home

urlpatterns = [
    path("", home, name="home"),
    path("admin/csdm-health/", include("portfolio.health_views")),
    path("admin/", admin.site.urls),
    path("accounts/profile/", ProfileView.as_view(), name="profile"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("catalog/", include("catalog.urls")),
    path("support/", include("support.urls")),
    path("portfolio/", include("portfolio.urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/now/", include("tableapi.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

handler500 = "core.views.server_error"
