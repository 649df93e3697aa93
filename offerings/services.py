"""Domain operations on offerings that span more than one model."""

from django.db.models import Q

from cmdb.models import Company, Department, Group, GroupMembership, Location, User
from offerings.models import SUBSCRIPTION_MODELS, ServiceOffering


def subscriptions_for(user: User):
    """The offerings `user` subscribes to, directly or through company, department, location or group.

    One query: each route is a subquery, so the cost does not grow with the number of rows.
    """
    # Who stands for `user` among each kind of subscriber. A subscribe-by table whose subscriber
    # is of another kind raises KeyError here instead of being skipped silently.
    own_ids = {
        User: user.pk,
        Company: user.company_id,
        Department: user.department_id,
        Location: user.location_id,
    }
    condition = Q()
    for model, subscriber_field in SUBSCRIPTION_MODELS:
        kind = model._meta.get_field(subscriber_field).related_model
        if kind is Group:
            groups = GroupMembership.objects.filter(user=user).values("group_id")
            route = model.objects.filter(**{f"{subscriber_field}__in": groups})
        elif own_ids[kind] is None:
            continue
        else:
            route = model.objects.filter(**{subscriber_field: own_ids[kind]})
        condition |= Q(pk__in=route.values("service_offering_id"))
    return ServiceOffering.objects.filter(condition)
