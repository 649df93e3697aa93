"""The catalog pages: browse, order, follow requests, approve. Thin: forms in, services, redirects out."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from catalog import services
from catalog.access import get_orderable_item_or_404, orderable_items
from catalog.forms import CartLineForm, CheckoutForm, DecisionForm, ItemOrderForm
from catalog.models import Catalog, CatalogItem, CatalogItemOffering, Category, Request, RequestedItem
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


def _subtree_ids(categories, root):
    """Ids of `root` and every category below it, from an already loaded list."""
    children = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category.pk)
    ids, frontier = {root.pk}, [root.pk]
    while frontier:
        frontier = [child for parent in frontier for child in children.get(parent, []) if child not in ids]
        ids.update(frontier)
    return ids


@login_required
def index(request):
    catalogs = list(Catalog.objects.filter(active=True))
    categories = list(Category.objects.filter(active=True, sc_catalog__active=True))
    items = orderable_items(request.user).select_related("category").order_by("name")

    catalog = category = None
    if request.GET.get("catalog"):
        wanted = _sys_id_or_404(request.GET["catalog"])
        catalog = next((c for c in catalogs if c.sys_id == wanted), None)
        if catalog is None:
            raise Http404("No such catalog.")
        items = items.filter(sc_catalogs=catalog)
    if request.GET.get("category"):
        wanted = _sys_id_or_404(request.GET["category"])
        category = next((c for c in categories if c.sys_id == wanted), None)
        if category is None:
            raise Http404("No such category.")
        items = items.filter(category__in=_subtree_ids(categories, category))
    query = request.GET.get("q", "").strip()
    if query:
        items = items.filter(
            Q(name__icontains=query) | Q(short_description__icontains=query) | Q(description__icontains=query)
        )

    tree = []
    for each in catalogs:
        roots = [c for c in categories if c.sc_catalog_id == each.pk and c.parent_id is None]
        tree.append((each, [(root, [c for c in categories if c.parent_id == root.pk]) for root in roots]))
    return render(
        request,
        "catalog/index.html",
        {
            "items": list(items),
            "tree": tree,
            "catalog": catalog,
            "category": category,
            "query": query,
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
    variables = services.item_variables([item])[item.pk]
    form = ItemOrderForm(request.POST or None, variables=variables)
    if request.method == "POST" and form.is_valid():
        quantity, answers = form.cleaned_data["quantity"], form.answers()
        try:
            if request.POST.get("action") == "order":
                placed = services.order_now(request.user, item, quantity, answers, form.cleaned_data["token"])
                messages.success(request, f"Your request {placed.number} has been placed.")
                return redirect("catalog:request", number=placed.number)
            services.add_to_cart(request.user, item, quantity, answers)
            messages.success(request, f"{item.name} was added to your cart.")
            return redirect("catalog:cart")
        except ValidationError as error:
            form.add_service_errors(error)
        except services.ItemUnavailable:
            raise Http404("No such catalog item.") from None
    return render(request, "catalog/item.html", {"item": item, "form": form})


@login_required
def cart(request):
    current = services.get_cart(request.user)
    lines = list(current.lines.select_related("cat_item").order_by("pk"))
    variables = services.item_variables([line.cat_item for line in lines])
    for line in lines:
        line.answer_list = [
            (variable.question_text, answer_display(variable, line.answers[variable.name]))
            for variable in variables[line.cat_item_id]
            if line.answers.get(variable.name) not in (None, "", "false")
        ]
    totals = totals_by_currency((line.total_price, line.cat_item.price_currency) for line in lines)
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
            changed = services.remove_cart_line(request.user, line_sys_id)
        else:
            changed = services.update_cart_line(request.user, line_sys_id, form.cleaned_data["quantity"])
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
        placed = services.place_order(services.get_cart(request.user), request.user, version)
    except (services.OrderError, ValidationError) as error:
        messages.error(request, _error_text(error))
        return redirect("catalog:cart")
    messages.success(request, f"Your request {placed.number} has been placed.")
    return redirect("catalog:request", number=placed.number)


def _requests_of(user):
    return Request.objects.filter(Q(requested_for=user) | Q(opened_by=user))


@login_required
def request_list(request):
    requests = _requests_of(request.user).prefetch_related(
        Prefetch("items", queryset=RequestedItem.objects.select_related("cat_item").order_by("number"))
    )
    page = Paginator(requests, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "catalog/request_list.html", {"page": page})


@login_required
def request_detail(request, number):
    items = RequestedItem.objects.select_related("cat_item", "approver", "approved_by")
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
        services.approvals_for(request.user)
        .select_related("cat_item", "request__requested_for")
        .prefetch_related("answers")
        .order_by("request__opened_at", "number")
    )
    return render(request, "catalog/approvals.html", {"waiting": waiting})


@login_required
@require_POST
def decide(request, number):
    item = get_object_or_404(services.approvals_for(request.user).select_related("request"), number=number)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for messages_of_field in form.errors.values():
            messages.error(request, f"{item.number}: {' '.join(messages_of_field)}")
        return redirect("catalog:approvals")
    try:
        if form.cleaned_data["decision"] == "approve":
            services.approve(item, request.user)
            messages.success(request, f"{item.number} approved.")
        else:
            services.reject(item, request.user, form.cleaned_data["reason"])
            messages.success(request, f"{item.number} rejected.")
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
    return redirect("catalog:approvals")
