"""The web's unit tests: the app with a scripted gateway (answers per call, every call
recorded) and an in-memory session store; a module that needs other answers from the
start defines its own ``gateway``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from web_fakes import FakeStore, ScriptedGateway

from web.bootstrap import create_app
from web.config import Settings


@pytest.fixture
def gateway() -> ScriptedGateway:
    return ScriptedGateway()


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def client(gateway: ScriptedGateway, store: FakeStore) -> Iterator[TestClient]:
    app = create_app(Settings(), gateway=gateway, transfers=gateway, session_store=store)
    with TestClient(app, base_url="http://127.0.0.1:8000") as test_client:
        yield test_client
