"""For the sync tests that talk to Sapo (the clients, the customer book): a demo sandbox per
module, reset before each test, with fresh real clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import Sandbox
from tests.support.sapo import SapoPair, clients_for


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox("demo") as sb:
        yield sb


@pytest.fixture
def sapo(sandbox: Sandbox) -> Iterator[SapoPair]:
    """Both clients on the sandbox, reset to the demo seed (faults, buckets, stats cleared)."""
    sandbox.reset("demo")
    pos, web = clients_for(sandbox)
    with pos, web:
        yield SapoPair(sandbox, pos, web)
