from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.index, name="index"),
    path("item/<str:sys_id>/", views.item_detail, name="item"),
    path("cart/", views.cart, name="cart"),
    path("cart/line/<str:sys_id>/", views.cart_line, name="cart_line"),
    path("cart/checkout/", views.checkout, name="checkout"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<str:number>/", views.request_detail, name="request"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<str:number>/", views.decide, name="decide"),
]
