"""Fixtures for the fetch tests: a replayed ModernGov site on 127.0.0.1 (:mod:`replay_site`), fast client options."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipeline.fetch import FetchOptions

from .replay_site import FAST, Replay


@pytest.fixture
def replay() -> Iterator[Replay]:
    r = Replay()
    r.thread.start()
    try:
        yield r
    finally:
        r.server.shutdown()
        r.server.server_close()


@pytest.fixture
def fast() -> FetchOptions:
    return FAST
