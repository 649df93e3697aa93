"""The CSDM data-health page in the admin (/admin/csdm-health/), for staff.

The module carries its own `urlpatterns` so that the root URLconf includes it with one line:
`path("admin/csdm-health/", include("portfolio.health_views"))`, placed before `admin/`.
"""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path

from portfolio.health import run_checks

app_name = "csdm_health"


def csdm_health(request):
    """Every check with its status, count, why it matters and the offending records."""
    results = run_checks()
    context = {
        **admin.site.each_context(request),
        "title": "CSDM data health",
        "results": results,
        "failed_count": sum(not result.ok for result in results),
    }
    return TemplateResponse(request, "admin/csdm_health.html", context)


urlpatterns = [path("", admin.site.admin_view(csdm_health), name="index")]
