"""Helpers for tests that run the impact graph as a process that did not build it would."""

import numpy as np

from impact import graph as impact_graph
from impact import graph_files


def keep_graphs_in(folder, monkeypatch, settings):
    """Graph files on, in `folder`. The test database of SQLite lives in memory, which no other
    process can open, so the folder is given here rather than refused."""
    settings.IMPACT_GRAPH_DIR = str(folder.parent)
    monkeypatch.setattr(graph_files, "database_folder", lambda connection: folder)


def map_every_graph(folder, monkeypatch, settings):
    """Every graph a test gets is read-only arrays mapped from the files saved in `folder`: each one
    is built and saved as the first process would, then mapped as every other process does."""
    keep_graphs_in(folder, monkeypatch, settings)
    stored_or_built = impact_graph.stored_or_built_graph

    def mapped(connection, version):
        stored_or_built(connection, version)
        graph = stored_or_built(connection, version)
        assert isinstance(graph.up_idx.base, np.memmap)
        return graph

    monkeypatch.setattr(impact_graph, "stored_or_built_graph", mapped)
