from django.urls import path
from rest_framework.routers import SimpleRouter

from impact.api import views

app_name = "impact-api"

router = SimpleRouter()
router.register("incidents", views.IncidentViewSet, basename="incident")
router.register("changes", views.ChangeRequestViewSet, basename="change")

urlpatterns = [
    path("impact/", views.ImpactView.as_view(), name="impact"),
    path("impact/people/", views.ImpactPeopleView.as_view(), name="impact-people"),
    *router.urls,
]
