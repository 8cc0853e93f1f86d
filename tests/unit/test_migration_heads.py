"""Every service's migrations form one line of history: one head, every revision follows one
that exists, and each file is named after its revision (services/README.md, "Migrations").

Services are discovered (every ``services/*/src/*/migrations/versions`` folder), so a new
service is checked from its first migration on. No database is needed: the revision
scripts are read as Alembic reads them.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parents[2]
#: ``NNNN`` (a letter after it only in revisions older than this rule).
_REVISION_ID = re.compile(r"^\d{4}[a-z]?$")
_FILE_NAME = re.compile(r"^(\d{4}[a-z]?)_[a-z0-9_]+\.py$")


def migration_folders() -> dict[str, Path]:
    return {path.parents[1].name: path.parent for path in sorted(ROOT.glob("services/*/src/*/migrations/versions"))}


def _revision_of(script: Path) -> tuple[str, tuple[str, ...]]:
    spec = importlib.util.spec_from_file_location(f"_migration_{script.stem}", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    down = module.down_revision
    follows = () if down is None else (down,) if isinstance(down, str) else tuple(down)
    return str(module.revision), follows


def migration_problems(migrations: Path) -> list[str]:
    """What is wrong with the history in ``migrations/versions`` (empty: nothing)."""
    problems: list[str] = []
    follows: dict[str, tuple[str, ...]] = {}
    for script in sorted((migrations / "versions").glob("*.py")):
        revision, previous = _revision_of(script)
        named = _FILE_NAME.match(script.name)
        if not named or named.group(1) != revision or not _REVISION_ID.match(revision):
            problems.append(f"{script.name}: name it <revision>_<what_it_does>.py (revision {revision!r})")
        if revision in follows:
            problems.append(f"{script.name}: revision {revision} exists twice")
        follows[revision] = previous
    for revision, previous in follows.items():
        problems.extend(
            f"revision {revision} follows {missing}, which does not exist"
            for missing in previous
            if missing not in follows
        )
    followed = {down for previous in follows.values() for down in previous}
    heads = sorted(revision for revision in follows if revision not in followed)
    roots = sorted(revision for revision, previous in follows.items() if not previous)
    if len(heads) != 1:
        problems.append(f"{len(heads)} heads {heads}: add a merge revision (down_revision = {tuple(heads)})")
    if len(roots) != 1:
        problems.append(f"{len(roots)} first revisions {roots}: exactly one may have down_revision = None")
    if not problems:
        # Alembic, reading the same folder, agrees.
        alembic_heads = ScriptDirectory(str(migrations)).get_heads()
        if len(alembic_heads) != 1:
            problems.append(f"Alembic sees the heads {alembic_heads}")
    return problems


def test_every_service_with_a_database_is_found() -> None:
    assert {"identity", "messaging", "contacts", "notifications", "portal"} <= set(migration_folders())


@pytest.mark.parametrize("service", sorted(migration_folders()))
def test_each_service_has_one_line_of_migrations(service: str) -> None:
    assert migration_problems(migration_folders()[service]) == []


# --- the check itself, on made-up histories ---------------------------------------------------


def _write(folder: Path, name: str, revision: str, down: str | tuple[str, ...] | None) -> None:
    (folder / "versions").mkdir(parents=True, exist_ok=True)
    (folder / "versions" / name).write_text(
        f'"""{name}"""\nrevision = {revision!r}\ndown_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n'
        "\n\ndef upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n"
    )


def test_two_revisions_after_the_same_one_are_two_heads(tmp_path: Path) -> None:
    _write(tmp_path, "0001_start.py", "0001", None)
    _write(tmp_path, "0002_one_feature.py", "0002", "0001")
    _write(tmp_path, "0003_another_feature.py", "0003", "0001")

    [problem] = migration_problems(tmp_path)

    assert problem.startswith("2 heads ['0002', '0003']")


def test_a_merge_revision_makes_one_head_again(tmp_path: Path) -> None:
    _write(tmp_path, "0001_start.py", "0001", None)
    _write(tmp_path, "0002_one_feature.py", "0002", "0001")
    _write(tmp_path, "0003_another_feature.py", "0003", "0001")
    _write(tmp_path, "0004_join_features.py", "0004", ("0002", "0003"))

    assert migration_problems(tmp_path) == []


def test_a_revision_after_a_missing_one_is_named(tmp_path: Path) -> None:
    _write(tmp_path, "0001_start.py", "0001", None)
    _write(tmp_path, "0002_next.py", "0002", "0009")

    assert "revision 0002 follows 0009, which does not exist" in migration_problems(tmp_path)


def test_a_file_not_named_after_its_revision_is_named(tmp_path: Path) -> None:
    _write(tmp_path, "0001_start.py", "0001", None)
    _write(tmp_path, "add_things.py", "0002", "0001")

    assert migration_problems(tmp_path) == ["add_things.py: name it <revision>_<what_it_does>.py (revision '0002')"]
