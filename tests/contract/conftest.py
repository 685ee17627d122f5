"""The spec, read once per session, and the exchange's replies, gathered once per session: the
REST cases and the WebSocket topics each run against one fresh exchange in their own loop, so
every endpoint and topic can be its own test without building the account state again."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.contract import rest_cases, ws_cases
from tests.contract.spec import SPEC_DIR, Operation, Topic, futures_operations, futures_topics


@pytest.fixture(scope="session")
def spec_dir() -> Path:
    return SPEC_DIR


@pytest.fixture(scope="session")
def operations(spec_dir: Path) -> dict[tuple[str, str], Operation]:
    return futures_operations(spec_dir)


@pytest.fixture(scope="session")
def topics(spec_dir: Path) -> dict[str, Topic]:
    return futures_topics(spec_dir)


@pytest.fixture(scope="session")
def rest_replies(spec_dir: Path) -> dict[str, Any]:
    return asyncio.run(rest_cases.harvest())


@pytest.fixture(scope="session")
def ws_frames(spec_dir: Path) -> dict[ws_cases.Group, list[dict[str, Any]]]:
    return asyncio.run(ws_cases.harvest())
