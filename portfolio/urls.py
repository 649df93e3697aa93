from django.urls import path

from portfolio import views

app_name = "portfolio"

urlpatterns = [
    path("", views.portfolio_index, name="index"),
    path("services/<str:sys_id>/", views.service_detail, name="service"),
]
