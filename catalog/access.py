"""Who may see and order which catalog item: decided here and nowhere else.

- an inactive item: nobody;
- an active item open to everyone (`available_to_all`): every signed-in user;
- an active item linked to offerings: the subscribers of those offerings, through any route
  `offerings.services.subscriptions_for` knows (own, company, department, location, group);
- an active item neither open to everyone nor linked to an offering: nobody (it is not ready).
"""

from django.db.models import Q
from django.http import Http404

from catalog.models import CatalogItem, CatalogItemOffering
from offerings.services import subscriptions_for


def orderable_items(user):
    """The catalog items `user` may see and order, as one query."""
    if not (user.is_authenticated and user.is_active):
        return CatalogItem.objects.none()
    subscribed_items = CatalogItemOffering.objects.filter(
        service_offering__in=subscriptions_for(user).values("pk")
    ).values("catalog_item_id")
    return CatalogItem.objects.filter(active=True).filter(
        Q(available_to_all=True) | Q(pk__in=subscribed_items)
    )


def can_order(user, item):
    """Whether `user` may see and order `item`."""
    return orderable_items(user).filter(pk=item.pk).exists()


def get_orderable_item_or_404(user, sys_id, queryset=None):
    """The item with this sys_id if `user` may order it; 404 alike for missing and forbidden items."""
    items = orderable_items(user)
    if queryset is not None:
        items = queryset.filter(pk__in=items.values("pk"))
    try:
        return items.get(sys_id=sys_id)
    except CatalogItem.DoesNotExist:
        raise Http404("No such catalog item.") from None
