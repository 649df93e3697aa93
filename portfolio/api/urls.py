from rest_framework.routers import SimpleRouter

app_name = "portfolio-api"

router = SimpleRouter()

urlpatterns = router.urls
