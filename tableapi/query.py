"""ServiceNow encoded queries (`sysparm_query`): parsed into conditions, with no database in sight.

`name=Claims^ORname=Billing^active=true^NQparent.nameSTARTSWITHIns^ORDERBYname` reads as
(name=Claims OR name=Billing) AND active=true, OR (parent.name starts with Ins); ordered by name.
`^` joins conditions with AND, `^OR` adds an alternative to the condition before it, `^NQ` starts
a new query whose rows are added to the others. Compiling the result into a Django filter needs
the table's fields and lives in `tableapi.tables`.
"""

import re
from dataclasses import dataclass

# Longest first where one operator begins another (ISNOTEMPTY/ISEMPTY, INSTANCEOF/IN, >=/>).
OPERATORS = (
    "ISNOTEMPTY",
    "ISEMPTY",
    "INSTANCEOF",
    "NOT IN",
    "NOT LIKE",
    "DOES NOT CONTAIN",
    "STARTSWITH",
    "ENDSWITH",
    "CONTAINS",
    "LIKE",
    "IN",
    "!=",
    ">=",
    "<=",
    "=",
    ">",
    "<",
)
UNARY_OPERATORS = frozenset({"ISEMPTY", "ISNOTEMPTY"})
# ServiceNow field names are lower case; a dot walks through a reference (parent.name).
FIELD = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*")


class QueryError(ValueError):
    """An encoded query that cannot be read; the message names the offending part."""


@dataclass(frozen=True)
class Condition:
    """One `<field><operator><value>` term."""

    field: str
    operator: str
    value: str = ""


@dataclass(frozen=True)
class Ordering:
    field: str
    descending: bool = False


@dataclass(frozen=True)
class EncodedQuery:
    """Queries joined by ^NQ; each is terms joined by AND; each term is alternatives joined by OR."""

    queries: tuple[tuple[tuple[Condition, ...], ...], ...]
    ordering: tuple[Ordering, ...]


def parse_condition(text: str) -> Condition:
    match = FIELD.match(text)
    if match is None:
        raise QueryError(f"Condition {text!r} does not start with a field name.")
    field = match.group()
    rest = text[match.end() :]
    operator = next((op for op in OPERATORS if rest.startswith(op)), None)
    if operator is None:
        shown = rest or "(nothing)"
        raise QueryError(f"Unknown operator {shown!r} after field {field!r} in condition {text!r}.")
    value = rest[len(operator) :]
    if operator in UNARY_OPERATORS and value:
        raise QueryError(f"Operator {operator} takes no value, but condition {text!r} gives {value!r}.")
    return Condition(field, operator, value)


def parse_ordering(text: str, keyword: str, descending: bool) -> Ordering:
    field = text[len(keyword) :]
    if not FIELD.fullmatch(field):
        raise QueryError(f"{keyword} needs a field name, not {field!r} (in {text!r}).")
    return Ordering(field, descending)


def parse_encoded_query(text: str) -> EncodedQuery:
    """Parse `text`; QueryError naming the offending part when it is malformed."""
    queries: list[list[list[Condition]]] = [[]]
    ordering: list[Ordering] = []
    for part in text.split("^") if text else ():
        if part in ("", "EQ"):
            continue
        if part.startswith("ORDERBYDESC"):
            ordering.append(parse_ordering(part, "ORDERBYDESC", True))
        elif part.startswith("ORDERBY"):
            ordering.append(parse_ordering(part, "ORDERBY", False))
        elif part.startswith("NQ"):
            if not queries[-1]:
                raise QueryError(f"{part!r}: NQ starts a new query, but there is no query before it.")
            queries.append([[parse_condition(part[2:])]])
        elif part.startswith("OR"):
            if not queries[-1]:
                raise QueryError(f"{part!r}: OR needs a condition before it.")
            queries[-1][-1].append(parse_condition(part[2:]))
        else:
            queries[-1].append([parse_condition(part)])
    return EncodedQuery(
        queries=tuple(tuple(tuple(term) for term in query) for query in queries if query),
        ordering=tuple(ordering),
    )
