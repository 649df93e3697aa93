"""/api/now/: ServiceNow's Table API and Batch API."""

from django.urls import path

from tableapi.views import BatchView, TableView

app_name = "tableapi"

urlpatterns = [
    path("table/<str:table>", TableView.as_view(), name="table"),
    path("table/<str:table>/<str:sys_id>", TableView.as_view(), name="record"),
    path("v1/table/<str:table>", TableView.as_view(), name="table-v1"),
    path("v1/table/<str:table>/<str:sys_id>", TableView.as_view(), name="record-v1"),
    path("v1/batch", BatchView.as_view(), name="batch"),
]
