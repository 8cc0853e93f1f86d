"""The repository stands on its own: a clone of it runs every test and command without
files from beside it (a directory next to the checkout exists on a developer's machine,
never in a public clone or a CI runner)."""

from __future__ import annotations

import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: What code, tests and build files are checked: everything that runs, not prose.
CHECKED_SUFFIXES = {".py", ".toml", ".yml", ".yaml", ".sh", ".cfg", ".ini", ".json", ".j2", ".mako", ".txt"}
CHECKED_NAMES = {"Makefile", "Dockerfile"}
#: Generated, installed or run-time directories, not part of the repository's source.
SKIPPED_DIRECTORIES = {".git", ".venv", ".data", ".bench", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache"}

# Spelled in pieces so this file does not match itself.
_SHARED = "sha" + "red"
OUTSIDE_REFERENCE = re.compile(
    rf"\.\./{_SHARED}\b"  # a relative path out of the checkout
    rf"|/work/{_SHARED}\b"  # the development machine's absolute path
    rf"|\.parents?(\[\d+\])?\s*/\s*[\"']{_SHARED}[\"']"  # a path built from the checkout's parent directory
)


def _source_files() -> list[Path]:
    files = []
    for directory, subdirectories, names in os.walk(REPO):
        here = Path(directory)
        subdirectories[:] = [
            name
            for name in subdirectories
            if name not in SKIPPED_DIRECTORIES and here / name != REPO / "libs" / "protos" / "src"
        ]
        files += [here / name for name in names if Path(name).suffix in CHECKED_SUFFIXES or name in CHECKED_NAMES]
    return files


def test_no_code_or_test_reads_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in _source_files()
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1)
        if OUTSIDE_REFERENCE.search(line)
    ]
    assert offenders == []


def test_the_check_would_see_a_reference_outside() -> None:
    assert OUTSIDE_REFERENCE.search(f'SCHEMA = REPO.parent / "{_SHARED}" / "schemas" / "x.json"')
    assert OUTSIDE_REFERENCE.search(f"open('../{_SHARED}/ARCHITECTURE.md')")
    assert not OUTSIDE_REFERENCE.search('DEPLOY / "schemas" / "compose-spec.json"')
