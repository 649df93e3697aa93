"""Outages: periods in which a configuration item was down, degraded or taken out for planned work."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core.models import SysIdModel


class OutageQuerySet(models.QuerySet):
    def open(self):
        return self.filter(end__isnull=True)

    def closed(self):
        return self.filter(end__isnull=False)

    def overlapping(self, start=None, end=None):
        """Outages that share at least a moment with [start, end); either bound may be open."""
        queryset = self
        if end is not None:
            queryset = queryset.filter(begin__lt=end)
        if start is not None:
            queryset = queryset.filter(models.Q(end__isnull=True) | models.Q(end__gt=start))
        return queryset


class Outage(SysIdModel):
    """A period a CI was out of service, degraded, or down for planned work (`cmdb_ci_outage`)."""

    class Type(models.TextChoices):
        OUTAGE = "outage", "Outage"
        DEGRADATION = "degradation", "Degradation"
        PLANNED = "planned", "Planned"

    cmdb_ci = models.ForeignKey(
        "cmdb.ConfigurationItem", on_delete=models.CASCADE, related_name="outages", verbose_name="CI"
    )
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.OUTAGE)
    begin = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True, help_text="Empty while the outage lasts.")
    short_description = models.CharField(max_length=255, blank=True)
    task = models.ForeignKey(
        "Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outages",
        help_text="The incident or change that caused or records this outage.",
    )

    objects = OutageQuerySet.as_manager()

    class Meta:
        db_table = "cmdb_ci_outage"
        ordering = ["-begin"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gt=models.F("begin")),
                name="cmdb_ci_outage_end_after_begin",
                violation_error_message="The end of an outage must come after its beginning.",
            )
        ]
        # Availability asks "which outages of these CIs overlap this period".
        indexes = [models.Index(fields=["cmdb_ci", "begin"], name="cmdb_ci_outage_ci_begin_idx")]

    def __str__(self):
        return f"{self.get_type_display()} of {self.cmdb_ci} from {self.begin:%Y-%m-%d %H:%M}"

    @property
    def is_open(self):
        return self.end is None

    def clean(self):
        super().clean()
        if self.begin and self.end and self.end <= self.begin:
            raise ValidationError({"end": "The end of an outage must come after its beginning."})

    def close(self, at=None):
        """End the outage now (or at a given moment) and save; ValidationError if that is before it began."""
        at = at or timezone.now()
        if at <= self.begin:
            raise ValidationError({"end": "The end of an outage must come after its beginning."})
        self.end = at
        self.save(update_fields=["end", "sys_updated_on"])
        return self
