"""Progress of an import, one bar per table: rows done and rows per second.

On a terminal, tqdm draws the bars; otherwise (a cron job, a log file) each table gets one plain
line when it is done, so logs are not filled with carriage returns.
"""

import sys
import time

from tqdm import tqdm


class NoProgress:
    """Progress that shows nothing (the default of `import_source`, and of tests)."""

    def start(self, table, total):
        pass

    def advance(self, rows):
        pass

    def finish(self):
        pass


class TableProgress:
    """A bar per table on a terminal, a line per table elsewhere; written to `stream`."""

    def __init__(self, stream=None, *, terminal=None):
        self.stream = stream if stream is not None else sys.stderr
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.bar = None
        self.table = None

    def start(self, table, total):
        self.finish()
        self.table, self.total, self.done, self.started = table, total, 0, time.perf_counter()
        if self.terminal:
            self.bar = tqdm(total=total, desc=table, unit=" rows", file=self.stream, leave=True)

    def advance(self, rows):
        self.done += rows
        if self.bar is not None:
            self.bar.update(rows)

    def finish(self):
        if self.table is None:
            return
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        else:
            elapsed = time.perf_counter() - self.started
            rate = self.done / elapsed if elapsed > 0 else 0.0
            self.stream.write(f"{self.table}: {self.done} rows in {elapsed:.1f} s ({rate:,.0f} rows/s)\n")
            self.stream.flush()
        self.table = None
