"""Secondary suppression of the public household figures: no count under 5 can be worked
out by subtracting the counts shown from the village total."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ksbb.households.selectors import PRIMARY, SECONDARY, suppression_marks


def test_one_small_cell_hides_the_smallest_other_one():  # type: ignore[no-untyped-def]
    # Total 8 shown: 6 shown and 2 hidden would give 2 away.
    assert suppression_marks({"a": 6, "b": 2}) == {"a": SECONDARY, "b": PRIMARY}
    assert suppression_marks({"a": 9, "b": 7, "c": 3}) == {"a": "", "b": SECONDARY,
                                                           "c": PRIMARY}
    # Two small cells already hide each other; a total under 5 is itself hidden.
    assert suppression_marks({"a": 9, "b": 1, "c": 2}) == {"a": "", "b": PRIMARY, "c": PRIMARY}
    assert suppression_marks({"a": 3}) == {"a": PRIMARY}
    assert suppression_marks({"a": 5, "b": 6}) == {"a": "", "b": ""}


@given(st.dictionaries(st.text("abcdefgh", min_size=1, max_size=2), st.integers(0, 40),
                       max_size=8))
def test_no_hidden_cell_follows_from_the_total(cells):  # type: ignore[no-untyped-def]
    marks = suppression_marks(cells)
    assert set(marks) == set(cells)
    # Every count under 5 is hidden, and only those are marked "<5".
    assert all((marks[c] == PRIMARY) == (n < 5) for c, n in cells.items())
    assert all(marks[c] != SECONDARY or n >= 5 for c, n in cells.items())
    hidden = [c for c in cells if marks[c]]
    total = sum(cells.values())
    if total >= 5:  # the total is published: never exactly one cell to subtract for
        assert len(hidden) != 1
        # What subtraction gives is the sum of the hidden cells, which fits more than one
        # split among them unless every hidden cell is 0 (nobody to single out).
        rest = total - sum(n for c, n in cells.items() if not marks[c])
        assert rest == sum(cells[c] for c in hidden)
        if hidden and rest:
            assert len(hidden) >= 2
