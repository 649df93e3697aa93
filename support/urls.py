from django.urls import path

from support import views

app_name = "support"

urlpatterns = [
    path("", views.status, name="status"),
    path("products/<str:sys_id>/", views.product_detail, name="product"),
    path("installations/<str:sys_id>/", views.item_detail, name="item"),
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/reopen/", views.case_reopen, name="case_reopen"),
]
