"""Browsing the catalog: the items a user may order, narrowed by catalog, category and search."""

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q

from catalog.access import orderable_items
from catalog.models import Catalog, CatalogItem, Category

# [(catalog, [(top-level category, [its child categories])])]
CategoryTree = list[tuple[Catalog, list[tuple[Category, list[Category]]]]]


@dataclass(frozen=True)
class CatalogListing:
    """What the catalog index shows: the matching items, the category tree and the filters applied."""

    items: list[CatalogItem]
    tree: CategoryTree
    catalog: Catalog | None
    category: Category | None
    query: str


def browse_catalog(
    user, catalog: UUID | None = None, category: UUID | None = None, query: str = ""
) -> CatalogListing:
    """The items `user` may order in the active catalog `catalog` (by sys_id), below the active
    category `category` (its subcategories included) and matching `query` in name or
    descriptions, each filter only when given; with the tree of active catalogs and categories.

    Raises Catalog.DoesNotExist or Category.DoesNotExist for a sys_id that names no active one.
    Three queries, whatever the number of catalogs, categories and items.
    """
    catalogs = list(Catalog.objects.filter(active=True))
    categories = list(Category.objects.filter(active=True, catalog__active=True))
    items = orderable_items(user).select_related("category").order_by("name")

    chosen_catalog = chosen_category = None
    if catalog is not None:
        chosen_catalog = next((c for c in catalogs if c.sys_id == catalog), None)
        if chosen_catalog is None:
            raise Catalog.DoesNotExist("No such catalog.")
        items = items.filter(catalogs=chosen_catalog)
    if category is not None:
        chosen_category = next((c for c in categories if c.sys_id == category), None)
        if chosen_category is None:
            raise Category.DoesNotExist("No such category.")
        items = items.filter(category__in=_subtree_ids(categories, chosen_category))
    query = query.strip()
    if query:
        items = items.filter(
            Q(name__icontains=query) | Q(short_description__icontains=query) | Q(description__icontains=query)
        )
    return CatalogListing(
        list(items), category_tree(catalogs, categories), chosen_catalog, chosen_category, query
    )


def category_tree(catalogs, categories) -> CategoryTree:
    """Each catalog with its top-level categories and their children, from already loaded lists."""
    tree = []
    for each in catalogs:
        roots = [c for c in categories if c.catalog_id == each.pk and c.parent_id is None]
        tree.append((each, [(root, [c for c in categories if c.parent_id == root.pk]) for root in roots]))
    return tree


def _subtree_ids(categories, root):
    """Ids of `root` and every category below it, from an already loaded list."""
    children = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category.pk)
    ids, frontier = {root.pk}, [root.pk]
    while frontier:
        frontier = [child for parent in frontier for child in children.get(parent, []) if child not in ids]
        ids.update(frontier)
    return ids
