import uuid

from cmdb.servicenow.written import WrittenSysIds


def sys_ids(count):
    return [uuid.uuid4().hex for _ in range(count)]


def test_every_written_sys_id_is_found_and_few_others_are():
    written, others = sys_ids(20_000), sys_ids(20_000)
    seen = WrittenSysIds(expected_rows=20_000)
    for start in range(0, len(written), 5000):
        seen.add(written[start : start + 5000])

    assert seen.maybe_written(written) == written
    assert len(seen.maybe_written(others)) < 100  # about 1 in 1,000 expected


def test_nothing_is_written_at_first():
    assert WrittenSysIds(expected_rows=10).maybe_written(sys_ids(1000)) == []
