from catalog.models.cart import Cart, CartItem
from catalog.models.items import (
    INTEGER_ANSWER_MAX,
    INTEGER_ANSWER_MIN,
    Catalog,
    CatalogItem,
    CatalogItemOffering,
    Category,
    ItemVariable,
    RecurringFrequency,
    VariableChoice,
    VariableType,
)
from catalog.models.requests import (
    Approval,
    Request,
    RequestedItem,
    RequestedItemAnswer,
    RequestState,
    Stage,
    State,
)

__all__ = [
    "Approval",
    "Cart",
    "CartItem",
    "Catalog",
    "CatalogItem",
    "CatalogItemOffering",
    "Category",
    "INTEGER_ANSWER_MAX",
    "INTEGER_ANSWER_MIN",
    "ItemVariable",
    "RecurringFrequency",
    "Request",
    "RequestState",
    "RequestedItem",
    "RequestedItemAnswer",
    "Stage",
    "State",
    "VariableChoice",
    "VariableType",
]
