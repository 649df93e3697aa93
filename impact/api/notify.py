"""The request and answer of POST /api/v1/incidents|changes/<number>/notify/."""

from rest_framework import serializers

from impact.models import NotificationEvent


class NotifyRequestSerializer(serializers.Serializer):
    event = serializers.ChoiceField(
        choices=NotificationEvent.Kind.choices,
        help_text="started, update or resolved for an incident; planned for a change.",
    )
    message = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=5000, help_text="The update's text."
    )


class NotifyResultSerializer(serializers.Serializer):
    event = serializers.CharField(read_only=True)
    queued = serializers.IntegerField(read_only=True, help_text="People newly queued for this e-mail.")
    already_told = serializers.IntegerField(read_only=True, help_text="People who had it already.")
