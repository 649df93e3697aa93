"""Human numbers for task-like records (INC0010001, REQ0010001…), safe under concurrency."""

from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Length


class NumberCounter(models.Model):
    """The next number for one prefix (`sys_number`); rows are locked while a number is taken."""

    prefix = models.CharField(max_length=10, unique=True)
    next_value = models.PositiveBigIntegerField(default=1)
    digits = models.PositiveSmallIntegerField(default=7)

    class Meta:
        db_table = "sys_number"
        ordering = ["prefix"]

    def __str__(self):
        return f"{self.prefix}{self.next_value:0{self.digits}d}"


# Starting points follow ServiceNow's out-of-the-box numbering.
DEFAULT_START = {"INC": 10001, "CHG": 30001, "REQ": 10001, "RITM": 10001, "TASK": 10001}


def next_number(prefix):
    """Take the next number for `prefix` (e.g. "INC" → "INC0010001").

    The counter row is locked (select_for_update) inside the caller's transaction, so two
    concurrent callers never get the same number; never derived from max()+1.
    """
    with transaction.atomic():
        counter = locked_counter(prefix)
        value = counter.next_value
        NumberCounter.objects.filter(pk=counter.pk).update(next_value=F("next_value") + 1)
    return f"{prefix}{value:0{counter.digits}d}"


def move_counter_past(prefix, value):
    """Make sure the next number taken for `prefix` is above `value` (e.g. after an import)."""
    with transaction.atomic():
        counter = locked_counter(prefix)
        if counter.next_value <= value:
            NumberCounter.objects.filter(pk=counter.pk).update(next_value=value + 1)


def locked_counter(prefix):
    """The counter row of `prefix`, locked until the caller's transaction ends; created on first use."""
    counter, _ = NumberCounter.objects.select_for_update().get_or_create(
        prefix=prefix, defaults={"next_value": DEFAULT_START.get(prefix, 1)}
    )
    return counter


def highest_number(queryset, prefix):
    """The numeric part of the highest `number` `<prefix><digits>` in `queryset`, or None.

    Numbers are compared by length first, then as text, which is numeric order for digit strings;
    numbers with a non-numeric tail (a foreign scheme that shares the prefix) are passed over.
    """
    numbers = (
        queryset.filter(number__startswith=prefix)
        .annotate(length=Length("number"))
        .order_by("-length", "-number")
        .values_list("number", flat=True)
    )
    for number in numbers.iterator():
        tail = number[len(prefix) :]
        if number[: len(prefix)].upper() == prefix and tail.isdigit():
            return int(tail)
    return None
