"""The impact graph's arrays on disk: one folder per database and graph version, shared by every process.

A process that needs the graph at a version another process has already built maps that build's
files (numpy's memory-mapped .npy) instead of reading two million edges from the database: at a
million CIs that is a few milliseconds instead of a second, for every web worker after an edge
changes and for every run of `manage.py csdm_health`. The mapped pages live in the operating system's
page cache, so the workers of one machine share one copy.

Trust rests on the graph version (impact/graph_version.py): each bump is a fresh random value, so a
folder named after the database's current version holds exactly the edges that version stands for,
whichever process wrote it and however long ago. A version that only ever existed in a rolled-back
transaction is never current again, so its folder is never read; it goes with the next save.

Layout: IMPACT_GRAPH_DIR/<database key>/<version>/<array>.npy + meta.json, written into a temporary
folder and renamed into place, so that a reader sees a whole folder or none. A lock file per database
makes the processes that need the same new version wait for the one building it rather than build it
in parallel. A folder that cannot be read whole, or whose arrays do not fit one graph, is built again
and replaced; a directory that cannot be written only costs the saving.
"""

import contextlib
import hashlib
import json
import logging
import shutil
import tempfile
from pathlib import Path

import numpy as np
from django.conf import settings

try:
    import fcntl
except ImportError:  # not on Windows: processes there may build the same version side by side
    fcntl = None

logger = logging.getLogger(__name__)

META_FILE = "meta.json"


def database_folder(connection) -> Path | None:
    """The folder for `connection`'s database, or None when graphs are not kept on disk (no
    IMPACT_GRAPH_DIR, or an in-memory SQLite database, which no other process can open)."""
    root = getattr(settings, "IMPACT_GRAPH_DIR", "")
    if not root or (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        return None
    database = connection.settings_dict
    parts = (connection.vendor, database.get("HOST"), database.get("PORT"), database["NAME"])
    identity = "|".join(str(part) for part in parts)
    return Path(root) / hashlib.sha256(identity.encode()).hexdigest()[:16]


@contextlib.contextmanager
def building(folder: Path):
    """Hold the database's build lock (exclusive, across processes) for the block."""
    if fcntl is None:
        yield
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = open(folder / "lock", "a+b")  # noqa: SIM115 -- held across the yield
    except OSError as error:
        logger.warning("impact graph files: cannot lock %s (%s)", folder, error)
        yield
        return
    with lock:  # closing the file releases the lock
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def load(folder: Path, version, names) -> tuple[dict[str, np.ndarray], dict] | None:
    """The arrays `names` and the metadata saved at `version`, memory-mapped read-only; None when no
    whole copy of that version is on disk (a copy lacking an array, say from an older release, is
    left for `save` to replace)."""
    path = folder / str(version)
    if not path.is_dir():
        return None
    try:
        meta = json.loads((path / META_FILE).read_text())
        if meta.get("version") != version:
            raise ValueError("not this version's")
        # Plain ndarray views of the mappings: np.memmap's indexing runs Python code on every read,
        # which a small walk's few dozen scalar reads would feel.
        arrays = {
            name: np.load(path / f"{name}.npy", mmap_mode="r", allow_pickle=False).view(np.ndarray)
            for name in names
        }
    except (OSError, ValueError) as error:
        logger.warning("impact graph files: %s is unreadable (%s); building again", path, error)
        return None
    return arrays, meta


def save(folder: Path, version, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """Write `arrays` and `meta` as `version`'s folder, then remove every other version's."""
    staging = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".new-", dir=folder))
        staging.chmod(0o755)  # mkdtemp's 0700 would hide it from workers running as another user
        for name, array in arrays.items():
            np.save(staging / f"{name}.npy", array, allow_pickle=False)
        (staging / META_FILE).write_text(json.dumps({**meta, "version": version}))
        shutil.rmtree(
            folder / str(version), ignore_errors=True
        )  # a copy the reader found unreadable or unfit
        staging.rename(folder / str(version))
    except OSError as error:  # a full disk, say, or this version saved meanwhile by a process unlocked
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if not (folder / str(version)).is_dir():
            logger.warning("impact graph files: cannot save version %s in %s (%s)", version, folder, error)
            return
    for old in folder.iterdir():
        if old.is_dir() and old.name != str(version):
            # Processes still using an older version keep their mapping: the files go with it.
            shutil.rmtree(old, ignore_errors=True)
