"""The customer portal: a contact's account — what it bought, how its services run, its cases.

Every record is looked up within the contact's own account, so another account's case, product or
installation is a 404 (not a 403: its existence is not disclosed). Employees are sent to the catalog.
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.models import parse_sys_id_or_none
from customers.cases import contact_of, open_case, reopen_case
from customers.models import Case
from offerings.models import OfferingCommitment
from support.forms import CaseForm
from support.status import install_base_status


def contact_required(view):
    """Signed-in customer contacts only; anyone else signed in goes to the catalog."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        contact = contact_of(request.user)
        if contact is None:
            return redirect("catalog:index")
        request.contact = contact
        return view(request, *args, **kwargs)

    return wrapper


def _sys_id_or_404(value):
    sys_id = parse_sys_id_or_none(value)
    if sys_id is None:
        raise Http404("Not a sys_id.")
    return sys_id


def _products(account):
    commitments = OfferingCommitment.objects.select_related("service_commitment")
    return (
        account.sold_products.select_related("service_offering", "product")
        .prefetch_related(Prefetch("service_offering__offering_commitments", queryset=commitments))
        .order_by("name")
    )


@contact_required
def status(request):
    account = request.contact.account
    items = list(account.install_base_items.select_related("configuration_item").order_by("name"))
    statuses = install_base_status(items)
    cases = account.cases.select_related("incident").order_by("-opened_at")[:10]
    return render(
        request,
        "support/status.html",
        {
            "account": account,
            "statuses": statuses,
            "disrupted": [status for status in statuses if status.current],
            "planned": [status for status in statuses if status.planned],
            "products": _products(account),
            "cases": cases,
        },
    )


@contact_required
def product_detail(request, sys_id):
    product = get_object_or_404(_products(request.contact.account), sys_id=_sys_id_or_404(sys_id))
    return render(request, "support/product.html", {"product": product, "account": request.contact.account})


@contact_required
def item_detail(request, sys_id):
    account = request.contact.account
    item = get_object_or_404(
        account.install_base_items.select_related("configuration_item"), sys_id=_sys_id_or_404(sys_id)
    )
    (item_status,) = install_base_status([item])
    products = item.sold_products.select_related("service_offering").order_by("name")
    return render(request, "support/item.html", {"status": item_status, "item": item, "products": products})


@contact_required
def case_list(request):
    cases = request.contact.account.cases.select_related("sold_product", "install_base_item").order_by(
        "-opened_at"
    )
    return render(request, "support/cases.html", {"cases": cases})


@contact_required
def case_detail(request, number):
    case = get_object_or_404(
        Case.objects.select_related(
            "incident", "outage__cmdb_ci", "sold_product", "install_base_item", "contact"
        ),
        account=request.contact.account,
        number=number.upper(),
    )
    return render(request, "support/case.html", {"case": case, "affected": case.affected_install_base.all()})


@contact_required
@require_POST
def case_reopen(request, number):
    case = get_object_or_404(Case, account=request.contact.account, number=number.upper())
    try:
        reopen_case(case, request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"{case.number} is open again; we will get back to you.")
    return redirect("support:case", number=case.number)


@contact_required
def case_new(request):
    account = request.contact.account
    initial = {}
    for name in ("sold_product", "install_base_item"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    form = CaseForm(request.POST or None, account=account, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = open_case(request.contact, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Case {case.number} is open; we will get back to you.")
            return redirect("support:case", number=case.number)
    return render(request, "support/case_form.html", {"form": form})
