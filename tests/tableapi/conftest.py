"""An HTTPS Runstage for the Table API tests: the live server's thread, its socket wrapped in TLS.

PySNC refuses plain http:// instances, and the Table API refuses Basic credentials over plain HTTP,
so the server runs with a throwaway certificate from trustme and PySNC trusts only that CA.
"""

import ssl

import pytest
import trustme
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import WSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler


class HTTPSWSGIServer(WSGIServer):
    """Requests one at a time in the server's thread. Not being threaded, it answers "Connection:
    close", so no keep-alive handler thread outlives the tests holding a database connection (which
    would stop PostgreSQL from dropping the test database)."""

    def __init__(self, *args, ssl_context, **kwargs):
        super().__init__(*args, **kwargs)
        self.socket = ssl_context.wrap_socket(self.socket, server_side=True)


class HTTPSRequestHandler(QuietWSGIRequestHandler):
    def get_environ(self):
        environ = super().get_environ()
        environ["HTTPS"] = "on"  # wsgiref's scheme guess: request.is_secure() is then true
        return environ


class HTTPSLiveServerThread(LiveServerThread):
    def __init__(self, *args, ssl_context, **kwargs):
        self.ssl_context = ssl_context
        super().__init__(*args, **kwargs)

    def _create_server(self, connections_override=None):
        return HTTPSWSGIServer(
            (self.host, self.port),
            HTTPSRequestHandler,
            allow_reuse_address=False,
            ssl_context=self.ssl_context,
        )


class HTTPSServer:
    def __init__(self, url, ca_bundle):
        self.url = url
        self.ca_bundle = ca_bundle


@pytest.fixture(scope="session")
def certificate_authority():
    return trustme.CA()


@pytest.fixture(scope="session")
def https_server(django_db_setup, django_db_blocker, certificate_authority, tmp_path_factory):
    """Runstage served at https://127.0.0.1:<port>; `.ca_bundle` is the CA file to verify it with.

    One server for the session, as pytest-django's live_server: tests that use it ask for
    transactional_db (through `https_instance`), since the server's threads see committed data only.
    """
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    ca_bundle = tmp_path_factory.mktemp("tls") / "ca.pem"
    certificate_authority.cert_pem.write_to_path(str(ca_bundle))
    # An in-memory SQLite database is only visible through the test's own connection: share it.
    shared = {
        conn.alias: conn for conn in connections.all() if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }
    for conn in shared.values():
        conn.inc_thread_sharing()
    thread = HTTPSLiveServerThread(
        "127.0.0.1", StaticFilesHandler, connections_override=shared, ssl_context=context
    )
    thread.daemon = True
    with django_db_blocker.unblock():
        thread.start()
        thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield HTTPSServer(f"https://127.0.0.1:{thread.port}", str(ca_bundle))
    finally:
        thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()


@pytest.fixture
def https_instance(https_server, transactional_db, monkeypatch):
    """The HTTPS server, for a test whose data it must see; clients verify it with its CA only."""
    # requests lets these variables override a session's own `verify`: trust only the test's CA.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    return https_server
