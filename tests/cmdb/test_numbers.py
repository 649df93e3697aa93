import pytest

from cmdb.models import next_number

pytestmark = pytest.mark.django_db


def test_numbers_follow_servicenow_prefixes_and_start():
    assert next_number("INC") == "INC0010001"
    assert next_number("INC") == "INC0010002"
    assert next_number("CHG") == "CHG0030001"


def test_unknown_prefix_starts_at_one():
    assert next_number("PRB") == "PRB0000001"
