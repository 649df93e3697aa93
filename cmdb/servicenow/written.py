"""Which sys_ids an import has written to a table that was empty when it began.

On a first load every row is new, yet finding that out by looking each batch up in the table cost a
million-CI load a quarter of its database time. For such a table the importer remembers what it
inserted in a Bloom filter instead, and looks up only the rows the filter may have seen (a sys_id
repeated within the export, or one of the few false positives): the answer is the same, the
look-ups are gone.
"""

import numpy as np

# Bits per expected row (at least; rounded up to a power of two): with three probes, at most
# about two false positives in a thousand.
BITS_PER_ROW = 24
MIN_BITS = 1 << 16
# 16 MB at most; a larger export than the bits were sized for only sees more false positives.
MAX_BITS = 1 << 27
PROBES = 3


class WrittenSysIds:
    """A Bloom filter of sys_ids: `maybe_written` never misses one that was `add`ed."""

    def __init__(self, expected_rows):
        bits = MIN_BITS
        while bits < expected_rows * BITS_PER_ROW and bits < MAX_BITS:
            bits <<= 1
        self.mask = np.uint64(bits - 1)
        self.bytes = np.zeros(bits // 8, dtype=np.uint8)

    def _positions(self, sys_ids):
        """(byte index, bit) of each probe of each sys_id: PROBES arrays of each."""
        # Python's string hash, cached on the string; two halves combined for the probes.
        hashes = np.fromiter(map(hash, sys_ids), dtype=np.int64, count=len(sys_ids)).view(np.uint64)
        first, step = hashes & np.uint64(0xFFFFFFFF), (hashes >> np.uint64(32)) | np.uint64(1)
        positions = [(first + np.uint64(probe) * step) & self.mask for probe in range(PROBES)]
        return [
            (position >> np.uint64(3), np.left_shift(1, position & np.uint64(7)).astype(np.uint8))
            for position in positions
        ]

    def add(self, sys_ids):
        for index, bit in self._positions(sys_ids):
            np.bitwise_or.at(self.bytes, index, bit)

    def maybe_written(self, sys_ids):
        """The sys_ids among `sys_ids` that may have been added (all that were, and a few others)."""
        if not sys_ids:
            return []
        hit = np.ones(len(sys_ids), dtype=bool)
        for index, bit in self._positions(sys_ids):
            hit &= (self.bytes[index] & bit) != 0
        return [sys_id for sys_id, maybe in zip(sys_ids, hit.tolist(), strict=True) if maybe]
