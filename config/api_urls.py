"""/api/v1/: each app's router, plus token login."""

from django.urls import include, path

from core.tokens import ObtainTokenView

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("", include("cmdb.api.urls")),
    path("", include("portfolio.api.urls")),
    path("", include("offerings.api.urls")),
    path("", include("customers.api.urls")),
    path("", include("impact.api.urls")),
    path("", include("impact.api.outages")),
    path("", include("portfolio.api.owner_views")),
]
