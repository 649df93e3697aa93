"""Domain operations on offerings that span more than one model."""

from django.db.models import Q

from cmdb.models import GroupMembership
from offerings.models import (
    CompanySubscription,
    DepartmentSubscription,
    GroupSubscription,
    LocationSubscription,
    ServiceOffering,
    UserSubscription,
)


def subscriptions_for(user):
    """The offerings `user` subscribes to, directly or through company, department, location or group.

    One query: each route is a subquery, so the cost does not grow with the number of rows.
    """
    routes = [UserSubscription.objects.filter(sys_user=user)]
    if user.company_id:
        routes.append(CompanySubscription.objects.filter(core_company_id=user.company_id))
    if user.department_id:
        routes.append(DepartmentSubscription.objects.filter(cmn_department_id=user.department_id))
    if user.location_id:
        routes.append(LocationSubscription.objects.filter(cmn_location_id=user.location_id))
    routes.append(
        GroupSubscription.objects.filter(
            sys_user_group__in=GroupMembership.objects.filter(user=user).values("group_id")
        )
    )
    condition = Q()
    for route in routes:
        condition |= Q(pk__in=route.values("service_offering_id"))
    return ServiceOffering.objects.filter(condition)
