"""Catalog fields get plain English Python names; their columns keep ServiceNow's names.

State only: every table, column, foreign key and constraint in the database stays as it is
(`CatalogItem.catalogs` keeps its `sc_cat_item_catalog` table and that table's columns), so the
database operations are empty.
"""

import django.db.models.deletion
from django.db import migrations, models


def renamed_foreign_key(model, old, new, field, constraints=()):
    """Rename `old` to `new` in the state, pin its column, and restate the constraints naming it."""
    operations = [migrations.RemoveConstraint(model_name=model, name=c.name) for c in constraints]
    operations += [
        migrations.RenameField(model_name=model, old_name=old, new_name=new),
        migrations.AlterField(model_name=model, name=new, field=field),
    ]
    operations += [migrations.AddConstraint(model_name=model, constraint=c) for c in constraints]
    return operations


STATE_OPERATIONS = [
    *renamed_foreign_key(
        "category",
        "sc_catalog",
        "catalog",
        models.ForeignKey(
            db_column="sc_catalog_id",
            on_delete=django.db.models.deletion.CASCADE,
            related_name="categories",
            to="catalog.catalog",
        ),
        constraints=[
            models.UniqueConstraint(
                fields=("catalog", "parent", "title"),
                name="sc_category_unique_title_per_parent",
                violation_error_message="A sibling category with this title already exists.",
            ),
            models.UniqueConstraint(
                condition=models.Q(("parent__isnull", True)),
                fields=("catalog", "title"),
                name="sc_category_unique_root_title",
                violation_error_message="A top-level category with this title already exists.",
            ),
        ],
    ),
    migrations.RenameField(model_name="catalogitem", old_name="sc_catalogs", new_name="catalogs"),
    *renamed_foreign_key(
        "catalogitemoffering",
        "sc_cat_item",
        "catalog_item",
        models.ForeignKey(
            db_column="sc_cat_item_id",
            on_delete=django.db.models.deletion.CASCADE,
            related_name="item_offerings",
            to="catalog.catalogitem",
        ),
        constraints=[
            models.UniqueConstraint(
                fields=("catalog_item", "service_offering"),
                name="sc_cat_item_subscribe_mtom_unique",
                violation_error_message="This item already orders this offering.",
            )
        ],
    ),
    *renamed_foreign_key(
        "itemvariable",
        "cat_item",
        "catalog_item",
        models.ForeignKey(
            db_column="cat_item_id",
            on_delete=django.db.models.deletion.CASCADE,
            related_name="variables",
            to="catalog.catalogitem",
        ),
        constraints=[
            models.UniqueConstraint(
                fields=("catalog_item", "name"),
                name="item_option_new_unique_name_per_item",
                violation_error_message="This item already has a variable with this name.",
            )
        ],
    ),
    *renamed_foreign_key(
        "cartitem",
        "cat_item",
        "catalog_item",
        models.ForeignKey(
            db_column="cat_item_id",
            on_delete=django.db.models.deletion.CASCADE,
            related_name="cart_lines",
            to="catalog.catalogitem",
        ),
    ),
    *renamed_foreign_key(
        "requesteditem",
        "cat_item",
        "catalog_item",
        models.ForeignKey(
            db_column="cat_item_id",
            on_delete=django.db.models.deletion.PROTECT,
            related_name="requested",
            to="catalog.catalogitem",
        ),
    ),
    *renamed_foreign_key(
        "requesteditemanswer",
        "sc_item_option",
        "variable",
        models.ForeignKey(
            blank=True,
            db_column="sc_item_option_id",
            null=True,
            on_delete=django.db.models.deletion.SET_NULL,
            related_name="answers",
            to="catalog.itemvariable",
        ),
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_approval_label"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=STATE_OPERATIONS, database_operations=[]),
    ]
