"""pytest imports test modules by their file name (rootdir-relative, no packages), so two
tiers with a ``test_x.py`` each stop the whole run at collection. Name them apart."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_every_test_module_has_a_name_of_its_own() -> None:
    names = Counter(path.name for path in TESTS.rglob("test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []
