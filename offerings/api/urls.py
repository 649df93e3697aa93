from rest_framework.routers import SimpleRouter

app_name = "offerings-api"

router = SimpleRouter()

urlpatterns = router.urls
