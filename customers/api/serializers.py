"""Serializers of the customers API."""

from rest_framework import serializers

from core.api import RunstageModelSerializer, SysIdRelatedField
from core.workflow import InvalidTransition
from customers.models import (
    Case,
    Consumer,
    CustomerAccount,
    CustomerContact,
    InstallBaseItem,
    SoldProduct,
)

COMPANY_FIELDS = ["name", "parent", "street", "city", "country", "phone", "website", "customer"]


class CustomerAccountSerializer(RunstageModelSerializer):
    number = serializers.CharField(read_only=True)

    class Meta:
        model = CustomerAccount
        fields = ["sys_id", "number", *COMPANY_FIELDS, "partner", "primary_contact"]


class CustomerContactSerializer(RunstageModelSerializer):
    user_name = serializers.CharField(source="username")

    class Meta:
        model = CustomerContact
        fields = ["sys_id", "user_name", "first_name", "last_name", "email", "phone", "title", "account"]


class ConsumerSerializer(RunstageModelSerializer):
    number = serializers.CharField(read_only=True)

    class Meta:
        model = Consumer
        fields = ["sys_id", "number", "name", "first_name", "last_name", "email", "phone", "user", "active"]


class SoldProductSerializer(RunstageModelSerializer):
    class Meta:
        model = SoldProduct
        fields = [
            "sys_id",
            "name",
            "number",
            "account",
            "consumer",
            "product",
            "service_offering",
            "state",
            "start_date",
            "end_date",
        ]


class InstallBaseItemSerializer(RunstageModelSerializer):
    sold_products = SysIdRelatedField(many=True, read_only=True, help_text="Sold products used on this item.")

    class Meta:
        model = InstallBaseItem
        fields = [
            "sys_id",
            "name",
            "account",
            "consumer",
            "configuration_item",
            "state",
            "install_date",
            "sold_products",
        ]


class CaseSerializer(RunstageModelSerializer):
    number = serializers.CharField(read_only=True)
    incident = serializers.SlugRelatedField(slug_field="number", read_only=True)
    affected_install_base = SysIdRelatedField(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "sys_id",
            "number",
            "short_description",
            "description",
            "account",
            "consumer",
            "contact",
            "state",
            "proactive",
            "sold_product",
            "install_base_item",
            "service_offering",
            "incident",
            "outage",
            "affected_install_base",
            "opened_at",
            "resolved_at",
            "close_notes",
        ]
        read_only_fields = ["proactive", "outage", "opened_at", "resolved_at"]
        select_related = ["incident"]

    def validate_state(self, value):
        if self.instance is not None:
            try:
                self.instance.check_transition(self.instance.state, value)
            except InvalidTransition as refused:
                raise serializers.ValidationError(refused.message_dict["state"]) from None
        return value

    def update(self, instance, validated_data):
        moving_to = validated_data.get("state")
        if moving_to is not None and moving_to != instance.state:
            instance.set_state(validated_data.pop("state"))
        return super().update(instance, validated_data)
