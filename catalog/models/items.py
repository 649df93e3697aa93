"""What can be ordered: catalogs, their categories, catalog items, the offerings they order and
the questions (variables) asked when ordering."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from core.models import SysIdModel
from core.money import default_currency, validate_currency_code


class Catalog(SysIdModel):
    """A request catalog shown to users (`sc_catalog`)."""

    title = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=100)

    class Meta:
        db_table = "sc_catalog"
        ordering = ["order", "title"]

    def __str__(self):
        return self.title


class Category(SysIdModel):
    """A category of a catalog (`sc_category`); categories nest within their catalog."""

    catalog = models.ForeignKey(
        Catalog, on_delete=models.CASCADE, related_name="categories", db_column="sc_catalog_id"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    title = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=100)

    class Meta:
        db_table = "sc_category"
        ordering = ["order", "title"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                fields=["catalog", "parent", "title"],
                name="sc_category_unique_title_per_parent",
                violation_error_message="A sibling category with this title already exists.",
            ),
            # NULL parents never collide in the constraint above, so roots need their own.
            models.UniqueConstraint(
                fields=["catalog", "title"],
                condition=models.Q(parent__isnull=True),
                name="sc_category_unique_root_title",
                violation_error_message="A top-level category with this title already exists.",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.parent_id is None:
            return
        if self.parent.catalog_id != self.catalog_id:
            raise ValidationError({"parent": "The parent category belongs to another catalog."})
        seen = {self.pk}
        node = self.parent
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": "A category cannot sit below itself."})
            seen.add(node.pk)
            node = node.parent


class RecurringFrequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUALLY = "annually", "Annually"


class CatalogItem(SysIdModel):
    """Something a user can order from the catalog (`sc_cat_item`)."""

    name = models.CharField(max_length=100, db_index=True)
    short_description = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    catalogs = models.ManyToManyField(
        Catalog, blank=True, related_name="items", db_table="sc_cat_item_catalog", verbose_name="catalogs"
    )
    price = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    price_currency = models.CharField(
        "currency",
        max_length=3,
        default=default_currency,
        validators=[validate_currency_code],
        help_text="ISO 4217 code of both prices, e.g. GBP.",
    )
    recurring_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    recurring_frequency = models.CharField(max_length=20, choices=RecurringFrequency.choices, blank=True)
    active = models.BooleanField(default=True)
    approval_required = models.BooleanField(
        default=False, help_text="Ordering it needs the approval of the requester's manager."
    )
    available_to_all = models.BooleanField(
        "open to everyone",
        default=False,
        help_text="Anyone may order it; otherwise only the subscribers of its offerings may.",
    )
    delivery_time = models.DurationField(null=True, blank=True, help_text="Promised time to deliver.")
    service_offerings = models.ManyToManyField(
        "offerings.ServiceOffering",
        through="catalog.CatalogItemOffering",
        blank=True,
        related_name="catalog_items",
    )

    class Meta:
        db_table = "sc_cat_item"
        ordering = ["name"]
        verbose_name = "catalog item"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0),
                name="sc_cat_item_price_not_negative",
                violation_error_message="The price cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(recurring_price__isnull=True) | models.Q(recurring_price__gte=0),
                name="sc_cat_item_recurring_price_not_negative",
                violation_error_message="The recurring price cannot be negative.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.recurring_price and not self.recurring_frequency:
            raise ValidationError({"recurring_frequency": "Say how often the recurring price is charged."})


class CatalogItemOffering(SysIdModel):
    """A service offering that a catalog item orders (`sc_cat_item_subscribe_mtom`)."""

    catalog_item = models.ForeignKey(
        CatalogItem, on_delete=models.CASCADE, related_name="item_offerings", db_column="sc_cat_item_id"
    )
    service_offering = models.ForeignKey(
        "offerings.ServiceOffering", on_delete=models.CASCADE, related_name="item_links"
    )

    class Meta:
        db_table = "sc_cat_item_subscribe_mtom"
        verbose_name = "offering of an item"
        constraints = [
            models.UniqueConstraint(
                fields=["catalog_item", "service_offering"],
                name="sc_cat_item_subscribe_mtom_unique",
                violation_error_message="This item already orders this offering.",
            )
        ]

    def __str__(self):
        return f"{self.catalog_item} → {self.service_offering}"


class VariableType(models.TextChoices):
    SINGLE_LINE_TEXT = "single_line_text", "Single-line text"
    MULTI_LINE_TEXT = "multi_line_text", "Multi-line text"
    CHOICE = "choice", "Choice"
    CHECKBOX = "checkbox", "Checkbox"
    DATE = "date", "Date"
    INTEGER = "integer", "Integer"


# Bounds of an integer answer when the variable sets none: most integer questions count something
# (devices, weeks, GB), so not below zero; and an answer must fit the database's integer column.
INTEGER_ANSWER_MIN = 0
INTEGER_ANSWER_MAX = 1_000_000_000
INTEGER_BOUND_LIMIT = 2_147_483_647


class ItemVariable(SysIdModel):
    """A question asked when a catalog item is ordered (`item_option_new`)."""

    catalog_item = models.ForeignKey(
        CatalogItem, on_delete=models.CASCADE, related_name="variables", db_column="cat_item_id"
    )
    name = models.CharField(
        max_length=80,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", "Lowercase letters, digits and underscores only.")],
        help_text="The answer's key, e.g. cost_center.",
    )
    question_text = models.CharField("question", max_length=255)
    type = models.CharField(
        max_length=20, choices=VariableType.choices, default=VariableType.SINGLE_LINE_TEXT
    )
    mandatory = models.BooleanField("required", default=False)
    order = models.PositiveIntegerField(default=100)
    help_text = models.CharField(max_length=255, blank=True)
    default_value = models.CharField(max_length=255, blank=True)
    min_value = models.IntegerField(
        "smallest answer",
        null=True,
        blank=True,
        validators=[MinValueValidator(-INTEGER_BOUND_LIMIT), MaxValueValidator(INTEGER_BOUND_LIMIT)],
        help_text=f"Integer questions only; empty: {INTEGER_ANSWER_MIN}.",
    )
    max_value = models.IntegerField(
        "largest answer",
        null=True,
        blank=True,
        validators=[MinValueValidator(-INTEGER_BOUND_LIMIT), MaxValueValidator(INTEGER_BOUND_LIMIT)],
        help_text=f"Integer questions only; empty: {INTEGER_ANSWER_MAX:,}.",
    )

    class Meta:
        db_table = "item_option_new"
        ordering = ["order", "pk"]
        verbose_name = "variable"
        constraints = [
            models.UniqueConstraint(
                fields=["catalog_item", "name"],
                name="item_option_new_unique_name_per_item",
                violation_error_message="This item already has a variable with this name.",
            )
        ]

    def __str__(self):
        return self.question_text

    @property
    def integer_bounds(self) -> tuple[int, int]:
        """(smallest, largest) integer answer this variable accepts."""
        lowest = INTEGER_ANSWER_MIN if self.min_value is None else self.min_value
        highest = INTEGER_ANSWER_MAX if self.max_value is None else self.max_value
        return lowest, highest

    def clean(self):
        lowest, highest = self.integer_bounds
        if lowest > highest:
            raise ValidationError({"max_value": f"Must not be smaller than the smallest answer ({lowest})."})
        if self.type == VariableType.INTEGER and self.default_value:
            text = self.default_value.strip()
            if not text.lstrip("-").isdigit() or not lowest <= int(text) <= highest:
                raise ValidationError(
                    {"default_value": f"Must be an integer from {lowest} to {highest}, or empty."}
                )


class VariableChoice(SysIdModel):
    """One allowed answer of a choice variable (`question_choice`)."""

    question = models.ForeignKey(ItemVariable, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=255)
    value = models.CharField(max_length=100)
    order = models.PositiveIntegerField(default=100)

    class Meta:
        db_table = "question_choice"
        ordering = ["order", "pk"]
        verbose_name = "choice"
        constraints = [
            models.UniqueConstraint(
                fields=["question", "value"],
                name="question_choice_unique_value",
                violation_error_message="This question already has a choice with this value.",
            )
        ]

    def __str__(self):
        return self.text
