"""Case operations: proactive cases for the customers an incident impacts, resolving them with the
incident, and a contact reopening theirs."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from customers.impacted import ImpactedCustomer, ImpactedCustomers
from customers.models import OPEN_CASE_STATES, AffectedInstallBase, Case, CaseState, CustomerContact


def contact_of(user) -> CustomerContact | None:
    """The customer contact a signed-in user is, or None (an employee, or anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "customercontact", None)


@dataclass
class ProactiveCases:
    created: list[Case]
    existing: list[Case]


def _describe(incident, customer: ImpactedCustomer, outage) -> str:
    lines = [f"We are aware of an issue that affects your service: {incident.short_description}."]
    if outage is not None:
        lines.append(f"{outage.get_type_display()} since {outage.begin:%Y-%m-%d %H:%M} UTC.")
    if customer.sold_products:
        names = ", ".join(f"{p.name} ({p.service_offering.name})" for p in customer.sold_products)
        lines.append(f"Affected products: {names}.")
    if customer.install_base_items:
        names = ", ".join(item.name for item in customer.install_base_items)
        lines.append(f"Affected installations: {names}.")
    lines.append(f"Our reference: {incident.number}. We will update this case as we work on it.")
    return "\n".join(lines)


def open_proactive_cases(incident, customers: ImpactedCustomers, *, outage=None) -> ProactiveCases:
    """One proactive case per impacted customer that has none for `incident` yet.

    Idempotent and safe under concurrent calls: the incident row is locked for the transaction, so
    a second caller waits and then finds the first caller's cases; the conditional unique
    constraints per (incident, account) and (incident, consumer) stand behind that lock.
    """
    with transaction.atomic():
        type(incident)._base_manager.select_for_update().filter(pk=incident.pk).exists()
        existing_cases = list(Case.objects.filter(incident=incident, proactive=True).order_by("number"))
        have = {(case.account_id, case.consumer_id) for case in existing_cases}
        created = []
        for customer in customers:
            key = (customer.id, None) if customer.kind == "account" else (None, customer.id)
            if key in have:
                continue
            first_product = customer.sold_products[0] if customer.sold_products else None
            first_item = customer.install_base_items[0] if customer.install_base_items else None
            case = _create_once(
                account_id=key[0],
                consumer_id=key[1],
                proactive=True,
                incident=incident,
                outage=outage,
                short_description=f"Service disruption: {incident.short_description}"[:255],
                description=_describe(incident, customer, outage),
                sold_product_id=first_product.id if first_product else None,
                service_offering_id=first_product.service_offering.id if first_product else None,
                install_base_item_id=first_item.id if first_item else None,
                state=CaseState.OPEN,
            )
            AffectedInstallBase.objects.bulk_create(
                [
                    AffectedInstallBase(case=case, install_base_item_id=item.id)
                    for item in customer.install_base_items
                ]
            )
            created.append(case)
    return ProactiveCases(created=created, existing=existing_cases)


def _create_once(**fields):
    """Create the case, or return None when the unique constraint says it exists already."""
    try:
        with transaction.atomic():
            return Case.objects.create(**fields)
    except IntegrityError:
        if Case.objects.filter(
            incident=fields["incident"],
            proactive=True,
            account_id=fields["account_id"],
            consumer_id=fields["consumer_id"],
        ).exists():
            return None
        raise


def resolve_proactive_cases(incident, note: str | None = None) -> int:
    """Resolve the incident's open proactive cases with a note; returns how many."""
    note = note or f"Resolved with {incident.number}: the service is restored."
    cases = list(
        Case.objects.select_for_update().filter(incident=incident, proactive=True, state__in=OPEN_CASE_STATES)
    )
    for case in cases:
        case.set_state(CaseState.RESOLVED)
        case.close_notes = note
        case.save(update_fields=["state", "resolved_at", "close_notes", "sys_updated_on"])
    return len(cases)


def reopen_case(case: Case, user) -> Case:
    """A contact of the case's account reopens their resolved case; PermissionDenied for anyone else."""
    contact = contact_of(user)
    if contact is None or case.account_id is None or contact.account_id != case.account_id:
        raise PermissionDenied("Only a contact of the case's account can reopen it.")
    case.set_state(CaseState.OPEN)
    case.save(update_fields=["state", "resolved_at", "sys_updated_on"])
    return case


def open_case(
    contact: CustomerContact,
    *,
    short_description: str,
    description: str = "",
    sold_product=None,
    install_base_item=None,
) -> Case:
    """A contact opens a case for their account, about one of its sold products or install base items."""
    for name, record in (("sold_product", sold_product), ("install_base_item", install_base_item)):
        if record is not None and record.account_id != contact.account_id:
            raise ValidationError({name: "Choose one of your account's own."})
    if sold_product is None and install_base_item is None:
        raise ValidationError({"sold_product": "Choose the product or the installation the case is about."})
    with transaction.atomic():
        case = Case.objects.create(
            account_id=contact.account_id,
            contact=contact,
            short_description=short_description,
            description=description,
            sold_product=sold_product,
            install_base_item=install_base_item,
            service_offering_id=sold_product.service_offering_id if sold_product else None,
        )
        if install_base_item is not None:
            AffectedInstallBase.objects.create(case=case, install_base_item=install_base_item)
    return case
