"""The service owners' pages: the portfolio tree and one page per service."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from cmdb.models import Service
from core.models import parse_sys_id
from portfolio.overview import can_view_service, portfolio_overview, service_page


@login_required
def portfolio_index(request):
    """The portfolio tree, every business service marked with this month's health."""
    mine_requested = request.GET.get("mine") == "1"
    overview = portfolio_overview(
        request.user, mine_requested=mine_requested, page_number=request.GET.get("page")
    )
    return render(request, "portfolio/index.html", {"overview": overview, "mine": overview.only_own})


def get_visible_service(user, sys_id):
    """The service with this sys_id if the user may see it; 404 otherwise, so as not to reveal it."""
    try:
        key = parse_sys_id(sys_id)
    except ValueError:
        raise Http404("No such service.") from None
    service = (
        Service.objects.select_related("owned_by", "managed_by", "support_group", "portfolio")
        .filter(sys_id=key)
        .first()
    )
    if service is None or not can_view_service(user, service):
        raise Http404("No such service.")
    return service


@login_required
def service_detail(request, sys_id):
    """One service: commitments this month, 12 months of availability, 12 weeks of incidents, and more."""
    service = get_visible_service(request.user, sys_id)
    return render(request, "portfolio/service.html", {"page": service_page(service)})
