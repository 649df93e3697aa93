from rest_framework.routers import SimpleRouter

from impact.api import views

app_name = "impact-api"

router = SimpleRouter()
router.register("impact", views.ImpactViewSet, basename="impact")
router.register("incidents", views.IncidentViewSet, basename="incident")
router.register("changes", views.ChangeRequestViewSet, basename="change")

urlpatterns = router.urls
