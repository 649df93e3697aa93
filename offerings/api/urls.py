from rest_framework.routers import SimpleRouter

from offerings.api import views

app_name = "offerings-api"

router = SimpleRouter()
router.register("offerings", views.ServiceOfferingViewSet, basename="offering")

urlpatterns = router.urls
