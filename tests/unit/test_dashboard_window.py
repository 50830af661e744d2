"""``services.dashboard.window``: a page past the middle is read from the end backwards."""

from __future__ import annotations

from ipfleet.services.dashboard import Window, window


def test_pages_up_to_the_middle_are_read_forwards() -> None:
    assert window(0, 100, 0) == Window(False, 0, 100)
    assert window(0, 100, 70_000) == Window(False, 0, 100)
    assert window(35_000, 100, 70_000) == Window(False, 35_000, 100)


def test_later_pages_are_the_same_rows_read_backwards() -> None:
    total, size = 254, 25
    rows = list(range(total))
    for offset in range(0, total, size):
        w = window(offset, size, total)
        backwards = rows[::-1] if w.descending else rows
        got = backwards[w.offset : w.offset + w.limit]
        assert (got[::-1] if w.descending else got) == rows[offset : offset + size], offset
    assert window(250, 25, 254) == Window(True, 0, 4)  # the last, short page
    assert window(69_900, 100, 70_000) == Window(True, 0, 100)
