from rest_framework.routers import SimpleRouter

app_name = "impact-api"

router = SimpleRouter()

urlpatterns = router.urls
