"""SharedWork: one-off results made once and reused; a slot holds one value at a time."""

from __future__ import annotations

from gnnlift.run.shared import SharedWork


def test_values_are_made_once_and_reused():
    made = []
    store = SharedWork()
    first = store.get("a", lambda: made.append("a") or 1, "run0")
    again = store.get("a", lambda: made.append("a") or 2, "run1")
    assert (first.value, first.reused, first.made_by) == (1, False, "run0")
    assert (again.value, again.reused, again.made_by, again.seconds) == (1, True, "run0", first.seconds)
    assert made == ["a"] and len(store) == 1


def test_a_slot_keeps_only_its_newest_value():
    made = []
    store = SharedWork()
    store.get("data", lambda: "loaded", "run0")
    for key in ("seed0", "seed0", "seed1", "seed0"):
        store.get(key, lambda key=key: made.append(key) or key, "run", slot="network")
    # seed0 was dropped when seed1 was made, so the last call makes it again; the data stays
    assert made == ["seed0", "seed1", "seed0"] and len(store) == 2
    assert store.get("data", lambda: "again", "run9").reused
