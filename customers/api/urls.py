from rest_framework.routers import SimpleRouter

from customers.api import views

app_name = "customers-api"

router = SimpleRouter()
router.register("accounts", views.CustomerAccountViewSet, basename="account")
router.register("contacts", views.CustomerContactViewSet, basename="contact")
router.register("consumers", views.ConsumerViewSet, basename="consumer")
router.register("sold-products", views.SoldProductViewSet, basename="sold-product")
router.register("install-base-items", views.InstallBaseItemViewSet, basename="install-base-item")
router.register("cases", views.CaseViewSet, basename="case")

urlpatterns = router.urls
