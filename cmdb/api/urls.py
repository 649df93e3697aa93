from rest_framework.routers import SimpleRouter

from cmdb.api import views

app_name = "cmdb-api"

router = SimpleRouter()
router.register("cis", views.ConfigurationItemViewSet, basename="ci")
router.register("business-services", views.BusinessServiceViewSet, basename="business-service")
router.register("relationship-types", views.RelationshipTypeViewSet, basename="relationship-type")
router.register("relationships", views.RelationshipViewSet, basename="relationship")

urlpatterns = router.urls
