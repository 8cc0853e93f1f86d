"""Fixtures shared by the contract and end-to-end tests.

Infrastructure (PostgreSQL, NATS with JetStream) is started once per test session, from
testcontainers when a Docker engine answers and from the embedded binaries otherwise
(``ZORGPOST_TEST_INFRA=embedded|containers`` forces one). Every stack a test starts gets
databases and a NATS server of its own, so no test sees another's data or events.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from zorgpost_devstack.infra import ContainerInfrastructure, EmbeddedInfrastructure, start_test_infrastructure
from zorgpost_devstack.stack import Stack, StackConfig


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedInfrastructure | ContainerInfrastructure]:
    infrastructure = start_test_infrastructure(tmp_path_factory.mktemp("infra"))
    try:
        yield infrastructure
    finally:
        infrastructure.stop()


class StackFactory:
    """Makes stacks on the session's infrastructure, each with fresh databases, and stops
    every process they started at the end of the test (or module)."""

    def __init__(self, infra: EmbeddedInfrastructure | ContainerInfrastructure, base: Path) -> None:
        self._infra = infra
        self._base = base
        self._stacks: list[Stack] = []

    def __call__(self, **overrides: object) -> Stack:
        """A new stack. Its gateway's per-IP login limit is lifted (every test logs in from
        127.0.0.1); a test of that limit passes its own ``extra_env["gateway"]``."""
        extra_env = dict(overrides.pop("extra_env", {}) or {})  # type: ignore[call-overload]
        extra_env.setdefault("gateway", {"AUTH_RATE_BURST": "100000", "AUTH_RATE_PER_MINUTE": "100000"})
        overrides["extra_env"] = extra_env
        name = uuid.uuid4().hex[:10]
        config = StackConfig(
            data_dir=self._base / name, database_prefix=f"t{name}_", own_nats=True, **overrides  # type: ignore[arg-type]
        )
        stack = Stack(self._infra, config)
        self._stacks.append(stack)
        return stack

    def stop_all(self) -> None:
        failures: list[BaseException] = []
        for stack in self._stacks:
            try:
                stack.close()
            except Exception as error:  # every stack is closed; the first failure is reported
                failures.append(error)
        if failures:
            raise failures[0]


@pytest.fixture
def make_stack(infra: EmbeddedInfrastructure | ContainerInfrastructure, tmp_path: Path) -> Iterator[StackFactory]:
    factory = StackFactory(infra, tmp_path)
    try:
        yield factory
    finally:
        factory.stop_all()


@pytest.fixture(scope="module")
def make_module_stack(
    infra: EmbeddedInfrastructure | ContainerInfrastructure, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StackFactory]:
    factory = StackFactory(infra, tmp_path_factory.mktemp("stack"))
    try:
        yield factory
    finally:
        factory.stop_all()
