"""Progress of an import: a line per table off a terminal, tqdm's bars on one (issue 16)."""

import io
import re

import pytest
from django.core.management import call_command

from cmdb.servicenow.importer import import_folder
from cmdb.servicenow.progress import TableProgress
from tests.fixtures.servicenow.helpers import SAMPLE

pytestmark = pytest.mark.django_db


def test_off_a_terminal_each_table_gets_one_plain_line_with_rows_and_rate():
    stream = io.StringIO()

    import_folder(SAMPLE, progress=TableProgress(stream))

    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    assert re.fullmatch(r"core_company: 3 rows in \d+\.\d s \([\d,]+ rows/s\)", lines[0])
    assert any(line.startswith("cmdb_rel_ci: 4 rows in ") for line in lines)


def test_on_a_terminal_each_table_gets_a_bar():
    stream = io.StringIO()

    import_folder(SAMPLE, progress=TableProgress(stream, terminal=True))

    output = stream.getvalue()
    assert "core_company" in output and "3/3" in output and "rows/s" in output


def test_a_failed_import_still_ends_the_progress_line(tmp_path):
    (tmp_path / "core_company.json").write_text('{"result": [{"sys_id": "bad"}]}')
    stream = io.StringIO()

    with pytest.raises(Exception, match="is not a sys_id"):
        import_folder(tmp_path, progress=TableProgress(stream))

    assert stream.getvalue().startswith("core_company: 0 rows in ")


def test_the_command_shows_progress_on_standard_error(capsys):
    call_command("import_servicenow", str(SAMPLE))

    captured = capsys.readouterr()
    assert "sys_user: 3 rows in " in captured.err
    assert "sys_user: 3 created" in captured.out
