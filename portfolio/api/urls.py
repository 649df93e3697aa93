from rest_framework.routers import SimpleRouter

from portfolio.api import views

app_name = "portfolio-api"

router = SimpleRouter()
router.register("portfolio-nodes", views.PortfolioNodeViewSet, basename="portfolio-node")

urlpatterns = router.urls
