from rest_framework.routers import SimpleRouter

app_name = "cmdb-api"

router = SimpleRouter()

urlpatterns = router.urls
