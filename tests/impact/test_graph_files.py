"""Graphs kept on disk: another process maps the current one instead of building it, and never uses
one of another version."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.db import connection, transaction

from impact import graph as impact_graph
from impact import graph_files
from impact.engine import impacted_by
from impact.graph import graph_for
from tests.factories.cmdb import (
    ApplicationFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    ServerFactory,
)
from tests.factories.offerings import ServiceOfferingFactory
from tests.graph_helpers import keep_graphs_in

ROOT = Path(__file__).resolve().parents[2]


def depends(parent, child):
    depends_on = RelationshipTypeFactory(name="Depends on::Used by")
    return RelationshipFactory(parent=parent, child=child, type=depends_on)


@pytest.fixture
def graph_dir(tmp_path, settings, monkeypatch):
    folder = tmp_path / "db"
    keep_graphs_in(folder, monkeypatch, settings)
    impact_graph.forget_graphs()
    yield folder
    impact_graph.forget_graphs()


def as_another_process():
    """What a new process has: no graph in memory, and no way to build one."""
    impact_graph.forget_graphs()

    def refuse(connection, version):
        raise AssertionError("built a graph that is on disk")

    return refuse


def saved_versions(folder):
    return sorted(path.name for path in folder.iterdir() if path.is_dir())


@pytest.mark.django_db
def test_a_new_process_maps_the_saved_graph_instead_of_building_it(graph_dir, monkeypatch):
    server, application, offering = ServerFactory(), ApplicationFactory(), ServiceOfferingFactory()
    depends(application, server)
    depends(offering, application)
    built = impacted_by([server.pk])
    version = graph_for(connection).version

    monkeypatch.setattr(impact_graph, "build_graph", as_another_process())
    mapped = impacted_by([server.pk])

    assert mapped.impacted == built.impacted
    assert isinstance(graph_for(connection).up_idx.base, np.memmap)
    assert saved_versions(graph_dir) == [str(version)]


@pytest.mark.django_db
def test_a_relationship_added_after_the_save_is_seen_and_the_old_files_go(graph_dir):
    server, application, offering = ServerFactory(), ApplicationFactory(), ServiceOfferingFactory()
    depends(application, server)
    assert set(impacted_by([server.pk]).impacted) == {server.pk, application.pk}
    old_version = graph_for(connection).version

    depends(offering, application)
    impact_graph.forget_graphs()

    impacted = set(impacted_by([server.pk]).impacted)
    assert impacted == {server.pk, application.pk, offering.pk, offering.parent_id}
    assert saved_versions(graph_dir) == [str(graph_for(connection).version)]
    assert str(old_version) not in saved_versions(graph_dir)


@pytest.mark.django_db
def test_a_graph_saved_inside_a_rolled_back_transaction_is_never_used(graph_dir):
    server, application, offering = ServerFactory(), ApplicationFactory(), ServiceOfferingFactory()
    depends(application, server)
    impacted_by([server.pk])

    with pytest.raises(RuntimeError), transaction.atomic():
        depends(offering, application)
        assert offering.pk in impacted_by([server.pk]).impacted  # built and saved at its own version
        raise RuntimeError("roll back")
    impact_graph.forget_graphs()

    assert set(impacted_by([server.pk]).impacted) == {server.pk, application.pk}


def unreadable(folder):
    (folder / "up_idx.npy").write_bytes(b"not an array")


def too_short(folder):
    np.save(folder / "up_ptr.npy", np.zeros(1, dtype=np.int32))  # a whole file, but not this graph's


@pytest.mark.django_db
@pytest.mark.parametrize("damage", [unreadable, too_short])
def test_a_damaged_copy_is_built_again_and_replaced(graph_dir, monkeypatch, damage):
    server, application = ServerFactory(), ApplicationFactory()
    depends(application, server)
    impacted_by([server.pk])
    damage(graph_dir / str(graph_for(connection).version))
    impact_graph.forget_graphs()

    assert set(impacted_by([server.pk]).impacted) == {server.pk, application.pk}
    monkeypatch.setattr(impact_graph, "build_graph", as_another_process())
    assert set(impacted_by([server.pk]).impacted) == {server.pk, application.pk}  # the saved copy


@pytest.mark.django_db
def test_an_unwritable_folder_costs_only_the_saving(graph_dir):
    server, application = ServerFactory(), ApplicationFactory()
    depends(application, server)
    graph_dir.parent.mkdir(exist_ok=True)
    graph_dir.write_text("a file where the folder should be")

    assert set(impacted_by([server.pk]).impacted) == {server.pk, application.pk}


@pytest.mark.django_db
def test_a_save_that_fails_half_way_leaves_nothing_behind(graph_dir, monkeypatch):
    server, application = ServerFactory(), ApplicationFactory()
    depends(application, server)
    written, save = [], np.save

    def disk_full_after_two_arrays(path, array, **options):
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        written.append(path)
        save(path, array, **options)

    monkeypatch.setattr(np, "save", disk_full_after_two_arrays)

    assert set(impacted_by([server.pk]).impacted) == {server.pk, application.pk}
    assert len(written) == 2
    assert saved_versions(graph_dir) == []  # no half-written folder for another process to trip on


def test_no_folder_without_a_setting_or_for_a_database_in_memory(settings, tmp_path):
    from django.db import connections

    settings.IMPACT_GRAPH_DIR = ""
    assert graph_files.database_folder(connection) is None

    settings.IMPACT_GRAPH_DIR = str(tmp_path)
    folder = graph_files.database_folder(connection)
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        assert folder is None
    else:
        assert folder.parent == tmp_path
        assert graph_files.database_folder(connections["replica"]) != folder  # another database, another key


@pytest.mark.django_db(transaction=True)
def test_another_process_answers_from_the_files_this_one_saved(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's test database lives in this process's memory only")
    settings.IMPACT_GRAPH_DIR = str(tmp_path)
    impact_graph.forget_graphs()
    server, application, offering = ServerFactory(), ApplicationFactory(), ServiceOfferingFactory()
    depends(application, server)
    depends(offering, application)
    expected = sorted(impacted_by([server.pk]).impacted)

    database = connection.settings_dict
    login = database["USER"] + (f":{database['PASSWORD']}" if database.get("PASSWORD") else "")
    address = f"{database['HOST'] or 'localhost'}:{database['PORT'] or 5432}"
    url = f"postgres://{login}@{address}/{database['NAME']}"
    script = (
        "import django, json; django.setup()\n"
        "from impact import graph\n"
        "def refuse(*args): raise SystemExit('built a graph that is on disk')\n"
        "graph.build_graph = refuse\n"
        "from impact.engine import impacted_by\n"
        f"print(json.dumps(sorted(impacted_by([{server.pk}]).impacted)))\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "IMPACT_GRAPH_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "graph-files-test-" + "x" * 40,
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == expected
    impact_graph.forget_graphs()
