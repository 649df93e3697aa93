"""Pulling from an instance's Table API (issue 16, point 3), against a small fake served over HTTPS.

The fake serves rows the way ServiceNow's Table API does for what the puller asks: a table answers
with its class family's rows, filtered by the encoded query, paged with sysparm_offset and
sysparm_limit, counted in X-Total-Count, behind basic auth. (A pull from a second live Runstage
serving its own Table API is tested once that API has landed.)
"""

import base64
import datetime
import json
import ssl
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme
from django.core.management import CommandError, call_command

from cmdb.models import Company, Server
from cmdb.servicenow.exporter import export_folder
from cmdb.servicenow.importer import ImportFailure, import_folder, import_source
from cmdb.servicenow.instance import InstanceSource, parse_since
from cmdb.servicenow.registry import spec_for_table
from tests.fixtures.servicenow.helpers import SAMPLE, database_snapshot, empty_every_table, read_table

pytestmark = pytest.mark.django_db

USER, PASSWORD = "integration.user", "s3cret pass"


class FakeTableAPI:
    """Rows by table, as read from a Runstage export (one file per class), and the requests seen."""

    def __init__(self, folder):
        self.files = {file.stem: json.loads(file.read_text())["result"] for file in folder.glob("*.json")}
        self.requests = []

    def rows_of(self, table):
        spec = spec_for_table(table)
        if spec is None:
            return None
        rows = []
        for name, file_rows in self.files.items():
            file_spec = spec_for_table(name)
            if file_spec is not None and issubclass(file_spec.model, spec.model):
                rows += [row | {"sys_class_name": row.get("sys_class_name", name)} for row in file_rows]
        return rows

    def select(self, table, query):
        rows = self.rows_of(table)
        for condition in query.split("^") if query else ():
            if condition == "ORDERBYsys_id":
                rows = sorted(rows, key=lambda row: row["sys_id"])
            elif condition.startswith("sys_class_nameNOT IN"):
                excluded = condition.removeprefix("sys_class_nameNOT IN").split(",")
                rows = [row for row in rows if row["sys_class_name"] not in excluded]
            elif condition.startswith("sys_class_name="):
                rows = [row for row in rows if row["sys_class_name"] == condition.split("=", 1)[1]]
            elif condition.startswith("sys_updated_on>="):
                since = condition.removeprefix("sys_updated_on>=")
                rows = [row for row in rows if row["sys_updated_on"] >= since]
            else:
                raise ValueError(f"the fake does not know {condition!r}")
        return rows


def handler_for(api):
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, body, headers=()):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            params = dict(urllib.parse.parse_qsl(url.query))
            table = url.path.removeprefix("/api/now/table/")
            api.requests.append((table, params))
            if self.headers.get("Authorization") != expected:
                self.answer(
                    401,
                    {"error": {"message": "User Not Authenticated", "detail": "Required to provide Auth"}},
                )
                return
            if api.rows_of(table) is None:
                self.answer(400, {"error": {"message": "Invalid table", "detail": table}})
                return
            rows = api.select(table, params.get("sysparm_query", ""))
            offset, limit = int(params.get("sysparm_offset", 0)), int(params.get("sysparm_limit", 10000))
            self.answer(200, {"result": rows[offset : offset + limit]}, [("X-Total-Count", str(len(rows)))])

    return Handler


@pytest.fixture(scope="module")
def certificate_authority():
    return trustme.CA()


@pytest.fixture
def serve(certificate_authority, tmp_path):
    """serve(folder) -> (https URL, FakeTableAPI): the export in `folder` served over HTTPS."""
    servers = []

    def start(folder):
        api = FakeTableAPI(folder)
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(api))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate_authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"https://127.0.0.1:{server.server_address[1]}", api

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def client_context(certificate_authority):
    context = ssl.create_default_context()
    certificate_authority.configure_trust(context)
    return context


@pytest.fixture
def served_sample(serve, tmp_path):
    """The sample loaded, exported and served; then this database emptied, as a second Runstage's."""
    import_folder(SAMPLE)
    export_folder(tmp_path / "served")
    url, api = serve(tmp_path / "served")
    empty_every_table()
    return url, api


def folder_contents(folder):
    return {file.name: file.read_text() for file in sorted(folder.glob("*.json"))}


def test_a_full_pull_holds_the_same_rows_as_the_instance(served_sample, client_context, tmp_path):
    url, _ = served_sample

    import_source(InstanceSource(url, USER, PASSWORD, page_size=2, ssl_context=client_context))

    export_folder(tmp_path / "pulled")
    assert folder_contents(tmp_path / "pulled") == folder_contents(tmp_path / "served")


def test_a_pull_pages_with_offset_and_limit_in_sys_id_order(served_sample, client_context):
    url, api = served_sample

    import_source(InstanceSource(url, USER, PASSWORD, page_size=2, ssl_context=client_context))

    users = [params for table, params in api.requests if table == "sys_user"]
    assert [params["sysparm_offset"] for params in users] == ["0", "2"]  # three users, two a page
    assert {params["sysparm_limit"] for params in users} == {"2"}
    assert all(params["sysparm_query"].endswith("ORDERBYsys_id") for params in users)


def test_a_ci_class_is_pulled_as_exactly_its_class(served_sample, client_context):
    url, api = served_sample

    import_source(InstanceSource(url, USER, PASSWORD, ssl_context=client_context))

    queries = {table: params["sysparm_query"] for table, params in api.requests}
    assert queries["cmdb_ci_server"] == "sys_class_name=cmdb_ci_server^ORDERBYsys_id"
    assert queries["cmdb_ci"].startswith("sys_class_nameNOT IN")
    assert "cmdb_ci_server" in queries["cmdb_ci"].split("^")[0].split(",")


def test_since_pulls_only_rows_updated_since(served_sample, client_context, tmp_path):
    url, api = served_sample
    import_source(InstanceSource(url, USER, PASSWORD, ssl_context=client_context))
    company = api.files["core_company"][0]
    company.update(name="Renamed upstream", sys_updated_on="2031-01-02 03:04:05")
    api.requests.clear()

    since = parse_since("2031-01-01 00:00:00")
    result = import_source(InstanceSource(url, USER, PASSWORD, since=since, ssl_context=client_context))

    assert Company.objects.get(sys_id=company["sys_id"]).name == "Renamed upstream"
    assert {table: str(counts) for table, counts in result.tables.items()} == {
        "core_company": "0 created, 1 updated, 0 unchanged"
    }
    assert all("sys_updated_on>=2031-01-01 00:00:00" in params["sysparm_query"] for _, params in api.requests)


def test_tables_narrows_the_pull(served_sample, client_context):
    url, api = served_sample

    result = import_source(
        InstanceSource(
            url, USER, PASSWORD, tables=["core_company", "cmn_location"], ssl_context=client_context
        )
    )

    assert {table for table, _ in api.requests} == {"core_company", "cmn_location"}
    assert set(result.tables) == {"core_company", "cmn_location"}


def test_a_refused_login_aborts_naming_the_table_and_changes_nothing(served_sample, client_context):
    url, _ = served_sample
    before = database_snapshot()

    with pytest.raises(ImportFailure) as error:
        import_source(InstanceSource(url, USER, "wrong", ssl_context=client_context))

    assert "core_company" in str(error.value) and "HTTP 401" in str(error.value)
    assert "User Not Authenticated" in str(error.value)
    assert database_snapshot() == before


def test_a_bad_row_on_a_later_page_aborts_the_whole_pull(served_sample, client_context):
    url, api = served_sample
    api.files["cmdb_ci_server"][0]["cpu_count"] = "many"

    with pytest.raises(ImportFailure, match=r"cmdb_ci_server, row 1, field cpu_count"):
        import_source(InstanceSource(url, USER, PASSWORD, page_size=1, ssl_context=client_context))

    assert not Company.objects.exists()


def test_an_untrusted_certificate_is_refused(served_sample):
    url, _ = served_sample

    with pytest.raises(ImportFailure, match="CERTIFICATE_VERIFY_FAILED"):
        import_source(InstanceSource(url, USER, PASSWORD))


def test_the_command_reads_the_password_from_the_environment(
    served_sample, certificate_authority, tmp_path, monkeypatch, capsys
):
    url, api = served_sample
    certificate_authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SERVICENOW_PASSWORD", PASSWORD)

    call_command(
        "import_servicenow", "--instance", url, "--user", USER, "--ca-file", str(tmp_path / "ca.pem")
    )

    assert Server.objects.count() == len(read_table(tmp_path / "served", "cmdb_ci_server"))
    assert f"Imported {url}." in capsys.readouterr().out


def test_the_command_without_a_password_and_no_terminal_refuses(served_sample, monkeypatch):
    url, api = served_sample
    monkeypatch.delenv("SERVICENOW_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)

    with pytest.raises(CommandError, match="SERVICENOW_PASSWORD"):
        call_command("import_servicenow", "--instance", url, "--user", USER)

    assert api.requests == []


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--instance", "http://example.com", "--user", "u"], "https://"),
        (["--instance", "https://example.com"], "--user"),
        (["--instance", "https://example.com", "--user", "u", "--tables", "cmdb_ci,nope"], "no table nope"),
        (["--instance", "https://example.com", "--user", "u", "--since", "yesterday"], "--since"),
        ([], "either a folder or --instance"),
    ],
)
def test_the_command_refuses_bad_options(arguments, message, monkeypatch):
    monkeypatch.setenv("SERVICENOW_PASSWORD", PASSWORD)

    with pytest.raises(CommandError, match=message):
        call_command("import_servicenow", *arguments)


def test_since_accepts_servicenow_and_iso_forms():
    utc = datetime.UTC
    assert parse_since("2025-12-06 18:24:00") == datetime.datetime(2025, 12, 6, 18, 24, tzinfo=utc)
    assert parse_since("2025-12-06T19:24:00+01:00").astimezone(utc) == datetime.datetime(
        2025, 12, 6, 18, 24, tzinfo=utc
    )
