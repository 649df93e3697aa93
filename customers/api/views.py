"""Customer endpoints: accounts, contacts, consumers, sold products, install base items and cases."""

from core.api import RunstageModelViewSet
from customers.api import serializers
from customers.filters import CaseFilterSet, InstallBaseItemFilterSet, SoldProductFilterSet
from customers.models import Case, Consumer, CustomerAccount, CustomerContact, InstallBaseItem, SoldProduct


class CustomerAccountViewSet(RunstageModelViewSet):
    """Customer and partner accounts (`customer_account`, extends `core_company`)."""

    queryset = CustomerAccount.objects.order_by("name", "pk")
    serializer_class = serializers.CustomerAccountSerializer
    filterset_fields = ["customer", "partner"]
    search_fields = ["number", "name"]


class CustomerContactViewSet(RunstageModelViewSet):
    """People at accounts (`customer_contact`, extends `sys_user`); passwords are set in the admin."""

    queryset = CustomerContact.objects.order_by("username", "pk")
    serializer_class = serializers.CustomerContactSerializer
    search_fields = ["username", "first_name", "last_name", "email"]


class ConsumerViewSet(RunstageModelViewSet):
    """Consumers, business to consumer (`csm_consumer`)."""

    queryset = Consumer.objects.order_by("name", "pk")
    serializer_class = serializers.ConsumerSerializer
    search_fields = ["number", "name", "email"]


class SoldProductViewSet(RunstageModelViewSet):
    """What accounts and consumers bought (`sn_install_base_sold_product`)."""

    queryset = SoldProduct.objects.order_by("name", "pk")
    serializer_class = serializers.SoldProductSerializer
    filterset_class = SoldProductFilterSet
    search_fields = ["name", "number"]


class InstallBaseItemViewSet(RunstageModelViewSet):
    """What customers run or use, and the CI behind it (`sn_install_base_item`)."""

    queryset = InstallBaseItem.objects.order_by("name", "pk")
    serializer_class = serializers.InstallBaseItemSerializer
    filterset_class = InstallBaseItemFilterSet
    search_fields = ["name"]


class CaseViewSet(RunstageModelViewSet):
    """Customer service cases (`sn_customerservice_case`), proactive ones included."""

    queryset = Case.objects.order_by("-opened_at", "-pk")
    serializer_class = serializers.CaseSerializer
    filterset_class = CaseFilterSet
    search_fields = ["number", "short_description"]
