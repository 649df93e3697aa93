"""The encoded-query parser on its own: one test per operator and connector, and malformed input."""

import pytest

from tableapi.query import Condition, Ordering, QueryError, parse_encoded_query


def only_condition(text):
    query = parse_encoded_query(text)
    assert query.ordering == ()
    assert len(query.queries) == 1
    assert len(query.queries[0]) == 1
    assert len(query.queries[0][0]) == 1
    return query.queries[0][0][0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name=Motor Claims", Condition("name", "=", "Motor Claims")),
        ("name!=Motor Claims", Condition("name", "!=", "Motor Claims")),
        ("tcp_port>80", Condition("tcp_port", ">", "80")),
        ("tcp_port>=80", Condition("tcp_port", ">=", "80")),
        ("tcp_port<80", Condition("tcp_port", "<", "80")),
        ("tcp_port<=80", Condition("tcp_port", "<=", "80")),
        ("nameINa,b,c", Condition("name", "IN", "a,b,c")),
        ("nameNOT INa,b", Condition("name", "NOT IN", "a,b")),
        ("nameSTARTSWITHMotor", Condition("name", "STARTSWITH", "Motor")),
        ("nameENDSWITHClaims", Condition("name", "ENDSWITH", "Claims")),
        ("nameLIKEotor", Condition("name", "LIKE", "otor")),
        ("nameCONTAINSotor", Condition("name", "CONTAINS", "otor")),
        ("nameNOT LIKEotor", Condition("name", "NOT LIKE", "otor")),
        ("nameDOES NOT CONTAINotor", Condition("name", "DOES NOT CONTAIN", "otor")),
        ("support_groupISEMPTY", Condition("support_group", "ISEMPTY")),
        ("support_groupISNOTEMPTY", Condition("support_group", "ISNOTEMPTY")),
        (
            "sys_class_nameINSTANCEOFcmdb_ci_service",
            Condition("sys_class_name", "INSTANCEOF", "cmdb_ci_service"),
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_operator(text, expected):
    assert only_condition(text) == expected


def test_a_value_may_contain_operator_characters():
    assert only_condition("short_description=a=b<c") == Condition("short_description", "=", "a=b<c")


def test_dot_walked_field():
    assert only_condition("parent.nameSTARTSWITHMotor") == Condition("parent.name", "STARTSWITH", "Motor")


def test_caret_joins_conditions_with_and():
    query = parse_encoded_query("name=a^logical=true")
    assert query.queries == (((Condition("name", "=", "a"),), (Condition("logical", "=", "true"),)),)


def test_or_adds_an_alternative_to_the_condition_before_it():
    query = parse_encoded_query("name=a^ORname=b^logical=true")
    assert query.queries == (
        (
            (Condition("name", "=", "a"), Condition("name", "=", "b")),
            (Condition("logical", "=", "true"),),
        ),
    )


def test_nq_starts_a_new_query():
    query = parse_encoded_query("name=a^logical=true^NQname=b")
    assert query.queries == (
        ((Condition("name", "=", "a"),), (Condition("logical", "=", "true"),)),
        ((Condition("name", "=", "b"),),),
    )


def test_orderby_and_orderbydesc():
    query = parse_encoded_query("name=a^ORDERBYname^ORDERBYDESCsys_updated_on")
    assert query.ordering == (Ordering("name"), Ordering("sys_updated_on", descending=True))
    assert query.queries == (((Condition("name", "=", "a"),),),)


def test_empty_query_and_end_marker():
    assert parse_encoded_query("") == parse_encoded_query("^EQ")
    assert parse_encoded_query("").queries == ()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("nameBETWEENa@b", "'BETWEEN"),
        ("name", "'name'"),
        ("=Motor", "'=Motor'"),
        ("ORname=a", "'ORname=a'"),
        ("NQname=a", "'NQname=a'"),
        ("ORDERBY", "ORDERBY needs a field name"),
        ("ORDERBYDESCName", "'Name'"),
        ("name=a^ORNAME=b", "'NAME=b'"),
        ("support_groupISEMPTYyes", "'yes'"),
    ],
)
def test_malformed_input_names_the_offending_part(text, named):
    with pytest.raises(QueryError) as error:
        parse_encoded_query(text)
    assert named in str(error.value)
