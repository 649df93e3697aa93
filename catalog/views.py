"""The catalog pages: browse, order, follow requests, approve. Thin: forms in, domain calls, redirects out."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from catalog.access import get_orderable_item_or_404
from catalog.approvals import approvals_for, approve, reject
from catalog.browse import browse_catalog
from catalog.cart import add_to_cart, get_cart, item_variables, remove_cart_line, update_cart_line
from catalog.errors import ItemUnavailable, OrderError
from catalog.forms import CartLineForm, CheckoutForm, DecisionForm, ItemOrderForm
from catalog.models import Catalog, CatalogItem, CatalogItemOffering, Category, Request, RequestedItem
from catalog.ordering import order_now, place_order
from catalog.variables import answer_display
from core.models import parse_sys_id
from core.money import totals_by_currency
from offerings.models import OfferingCommitment

REQUESTS_PER_PAGE = 25


def _sys_id_or_404(value):
    try:
        return parse_sys_id(value)
    except ValueError:
        raise Http404("Not a sys_id.") from None


def _error_text(error):
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


@login_required
def index(request):
    try:
        listing = browse_catalog(
            request.user,
            catalog=_sys_id_or_404(request.GET["catalog"]) if request.GET.get("catalog") else None,
            category=_sys_id_or_404(request.GET["category"]) if request.GET.get("category") else None,
            query=request.GET.get("q", ""),
        )
    except (Catalog.DoesNotExist, Category.DoesNotExist) as error:
        raise Http404(str(error)) from None
    return render(
        request,
        "catalog/index.html",
        {
            "items": listing.items,
            "tree": listing.tree,
            "catalog": listing.catalog,
            "category": listing.category,
            "query": listing.query,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_detail(request, sys_id):
    offerings = CatalogItemOffering.objects.select_related("service_offering").prefetch_related(
        Prefetch(
            "service_offering__offering_commitments",
            queryset=OfferingCommitment.objects.select_related("service_commitment"),
        )
    )
    item = get_orderable_item_or_404(
        request.user,
        _sys_id_or_404(sys_id),
        queryset=CatalogItem.objects.select_related("category").prefetch_related(
            Prefetch("item_offerings", queryset=offerings)
        ),
    )
    variables = item_variables([item])[item.pk]
    form = ItemOrderForm(request.POST or None, variables=variables)
    if request.method == "POST" and form.is_valid():
        quantity, answers = form.cleaned_data["quantity"], form.answers()
        try:
            if request.POST.get("action") == "order":
                placed = order_now(request.user, item, quantity, answers, form.cleaned_data["token"])
                messages.success(request, f"Your request {placed.number} has been placed.")
                return redirect("catalog:request", number=placed.number)
            add_to_cart(request.user, item, quantity, answers)
            messages.success(request, f"{item.name} was added to your cart.")
            return redirect("catalog:cart")
        except ValidationError as error:
            form.add_service_errors(error)
        except ItemUnavailable:
            raise Http404("No such catalog item.") from None
    return render(request, "catalog/item.html", {"item": item, "form": form})


@login_required
def cart(request):
    current = get_cart(request.user)
    lines = list(current.lines.select_related("catalog_item").order_by("pk"))
    variables = item_variables([line.catalog_item for line in lines])
    for line in lines:
        line.answer_list = [
            (variable.question_text, answer_display(variable, line.answers[variable.name]))
            for variable in variables[line.catalog_item_id]
            if line.answers.get(variable.name) not in (None, "", "false")
        ]
    totals = totals_by_currency((line.total_price, line.catalog_item.price_currency) for line in lines)
    return render(
        request,
        "catalog/cart.html",
        {
            "cart": current,
            "lines": lines,
            "totals": totals,
            "checkout_form": CheckoutForm(initial={"version": current.version}),
        },
    )


@login_required
@require_POST
def cart_line(request, sys_id):
    line_sys_id = _sys_id_or_404(sys_id)
    form = CartLineForm(request.POST)
    if not form.is_valid():
        for messages_of_field in form.errors.values():
            messages.error(request, " ".join(messages_of_field))
        return redirect("catalog:cart")
    try:
        if form.cleaned_data["action"] == "remove":
            changed = remove_cart_line(request.user, line_sys_id)
        else:
            changed = update_cart_line(request.user, line_sys_id, form.cleaned_data["quantity"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("catalog:cart")
    if not changed:
        raise Http404("No such cart line.")
    messages.success(request, "Your cart was updated.")
    return redirect("catalog:cart")


@login_required
@require_POST
def checkout(request):
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please check out from the cart page.")
        return redirect("catalog:cart")
    try:
        version = form.cleaned_data["version"]
        placed = place_order(get_cart(request.user), request.user, version)
    except (OrderError, ValidationError) as error:
        messages.error(request, _error_text(error))
        return redirect("catalog:cart")
    messages.success(request, f"Your request {placed.number} has been placed.")
    return redirect("catalog:request", number=placed.number)


def _requests_of(user):
    return Request.objects.filter(Q(requested_for=user) | Q(opened_by=user))


@login_required
def request_list(request):
    requests = _requests_of(request.user).prefetch_related(
        Prefetch("items", queryset=RequestedItem.objects.select_related("catalog_item").order_by("number"))
    )
    page = Paginator(requests, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "catalog/request_list.html", {"page": page})


@login_required
def request_detail(request, number):
    items = RequestedItem.objects.select_related("catalog_item", "approver", "approved_by")
    items = items.prefetch_related("answers")
    placed = get_object_or_404(
        _requests_of(request.user)
        .select_related("requested_for", "opened_by")
        .prefetch_related(Prefetch("items", queryset=items.order_by("number"))),
        number=number,
    )
    return render(request, "catalog/request_detail.html", {"placed": placed})


@login_required
def approvals(request):
    waiting = (
        approvals_for(request.user)
        .select_related("catalog_item", "request__requested_for")
        .prefetch_related("answers")
        .order_by("request__opened_at", "number")
    )
    return render(request, "catalog/approvals.html", {"waiting": waiting})


@login_required
@require_POST
def decide(request, number):
    item = get_object_or_404(approvals_for(request.user).select_related("request"), number=number)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for messages_of_field in form.errors.values():
            messages.error(request, f"{item.number}: {' '.join(messages_of_field)}")
        return redirect("catalog:approvals")
    try:
        if form.cleaned_data["decision"] == "approve":
            approve(item, request.user)
            messages.success(request, f"{item.number} approved.")
        else:
            reject(item, request.user, form.cleaned_data["reason"])
            messages.success(request, f"{item.number} rejected.")
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
    return redirect("catalog:approvals")
