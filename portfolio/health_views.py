"""The CSDM data-health page in the admin (/admin/csdm-health/), for staff.

The module carries its own `urlpatterns` so that the root URLconf includes it with one line:
`path("admin/csdm-health/", include("portfolio.health_views"))`, placed before `admin/`.
"""

from django.contrib import admin
from django.http import HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import path

from portfolio.health import CHECKS, DEFAULT_PAGE_SIZE, run_checks

app_name = "csdm_health"


def csdm_health(request):
    """Every check with its status, exact count, why it matters and the first page of its records;
    `?check=KEY&offset=N` pages through one check's records. Bounded whatever the CMDB's size."""
    key = request.GET.get("check")
    if key is not None and key not in CHECKS:
        return HttpResponseBadRequest(f"check: unknown check {key!r}")
    try:
        offset = int(request.GET.get("offset", "0"))
    except ValueError:
        offset = -1
    if offset < 0:
        return HttpResponseBadRequest("offset: must be a whole number, 0 or more")
    results = run_checks(None if key is None else [key], offset=offset if key else 0, limit=DEFAULT_PAGE_SIZE)
    context = {
        **admin.site.each_context(request),
        "title": "CSDM data health",
        "results": results,
        "one_check": key is not None,
        "failed_count": sum(not result.ok for result in results),
    }
    return TemplateResponse(request, "admin/csdm_health.html", context)


urlpatterns = [path("", admin.site.admin_view(csdm_health), name="index")]
