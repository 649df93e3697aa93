"""Browser tests: Debian's Chromium driven by Playwright (sync API) against pytest-django's live_server.

Playwright's sync API runs an event loop in the test thread, which makes Django refuse database
access from it ("You cannot call this from an async context"); the tests and the live server
never share a connection concurrently, so the check is switched off — for these tests only.
"""

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery"
HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    missing = not CHROMIUM.exists()
    for item in items:
        if HERE not in item.path.parents:
            continue
        item.add_marker(pytest.mark.browser)
        if missing:
            # Visible in the summary thanks to -ra; never a silent pass.
            item.add_marker(
                pytest.mark.skip(reason=f"Chromium not found: apt-get install chromium ({CHROMIUM})")
            )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def log_in(live_server):
    """log_in(page, user): sign in through the login page like a person would."""

    def sign_in(page, user):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/catalog/")

    return sign_in


@pytest.fixture(scope="session", autouse=True)
def _serialized_database(django_db_setup, django_db_blocker):
    """The database contents right after migrations, as Django serialized them for rollback."""
    from django.db import connections

    return {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }


@pytest.fixture(autouse=True)
def _serialized_database_in_this_context(_serialized_database):
    # Once Playwright's event loop runs, Django's connection handler hands this thread new
    # connection objects (its storage is context-local), which lack the serialized contents
    # that serialized rollback restores from; give them the copy taken at session start.
    from django.db import connections

    for alias, contents in _serialized_database.items():
        if not hasattr(connections[alias], "_test_serialized_contents"):
            connections[alias]._test_serialized_contents = contents


@pytest.fixture(autouse=True)
def _data_migration_rows(_serialized_database_in_this_context, django_db_serialized_rollback):
    """Reload the rows data migrations create (standard relationship types…) before each test.

    Live-server tests are transactional: the database is flushed after each one, which also
    deletes those rows, so a later browser test would otherwise see an instance without them.
    """


from tests.customers.conftest import sold  # noqa: E402,F401  (the sold impact graph, for the portal tests)
