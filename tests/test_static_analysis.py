"""The code stays typed and linted: `mypy --strict` and ruff run as part of `make test`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_mypy_strict_passes_on_our_code() -> None:
    result = subprocess.run([str(BIN / "mypy")], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-5000:]


def test_ruff_passes() -> None:
    result = subprocess.run(
        [str(BIN / "ruff"), "check", "libs/kit", "libs/devstack", "services", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-5000:]


def test_the_shared_fakes_satisfy_the_ports_without_type_ignores() -> None:
    """Each service's unit tests pass their fakes (``tests/unit/<service>/<service>_fakes.py``)
    to the use cases as they are: mypy --strict accepts the fakes and every test using them."""
    fakes = sorted((ROOT / "tests" / "unit").glob("*/*_fakes.py"))
    users = sorted(
        test
        for fake in fakes
        for test in fake.parent.glob("test_*.py")
        if f"from {fake.stem} import" in test.read_text(encoding="utf-8")
    )
    assert fakes and users
    for path in [*fakes, *users]:
        assert "type: ignore" not in path.read_text(encoding="utf-8"), path
    result = subprocess.run(
        [str(BIN / "mypy"), "--strict", *map(str, fakes), *map(str, users)],
        cwd=ROOT,
        env={**os.environ, "MYPYPATH": os.pathsep.join(sorted({str(fake.parent) for fake in fakes}))},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-5000:]
