"""What boardpapers fetch sends to a council's site, and how often (a replayed site on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import pytest

from pipeline.config import VERSION
from pipeline.fetch import USER_AGENT, FetchError, fetch
from pipeline.fetch.http import SiteClient
from pipeline.fetch.platforms import council_name, slug
from pipeline.fetch.records import DEFAULT_DELAY, FetchOptions


def test_every_request_names_the_tool_and_its_version(replay, fast, tmp_path):
    fetch(replay.base(), tmp_path, options=fast, date_from=dt.date(2024, 1, 1))
    assert USER_AGENT.startswith(f"boardpapers/{VERSION} ")
    assert {r.user_agent for r in replay.requests} == {USER_AGENT}


def test_requests_are_spaced_by_the_delay(replay, fast, tmp_path):
    assert DEFAULT_DELAY == 1.0
    fetch(replay.base(), tmp_path, options=replace(fast, delay=0.1), date_from=dt.date(2024, 1, 1))
    times = [r.at for r in replay.requests]
    assert len(times) == 6  # the committees, 3 committees' meetings, the meeting, its one document
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.1


def test_retries_wait_twice_as_long_each_time(replay, fast):
    waits: list[float] = []
    options = replace(fast, retries=3, backoff=0.5)
    replay.fail("halton/GetCommittees", "500", times=3)
    with SiteClient(options, sleep=waits.append) as client:
        client.get(replay.base() + "/mgWebService.asmx/GetCommittees")
        assert client.requests == 4
    assert waits == [0.5, 1.0, 2.0]


def test_a_429_waits_as_long_as_retry_after_asks(replay, fast):
    waits: list[float] = []
    replay.retry_after = "3"
    replay.fail("halton/GetCommittees", "429")
    with SiteClient(replace(fast, backoff=0.5), sleep=waits.append) as client:
        client.get(replay.base() + "/mgWebService.asmx/GetCommittees")
    assert waits == [3.0]


def test_answers_that_are_final_are_not_retried(replay, fast):
    replay.fail("halton/GetCommittees", "404", times=5)
    with SiteClient(fast) as client, pytest.raises(FetchError, match="HTTP 404 Not Found: no such page"):
        client.get(replay.base() + "/mgWebService.asmx/GetCommittees")
    assert len(replay.requests) == 1


def test_the_request_cap_stops_the_run_cleanly_and_the_next_run_carries_on(replay, fast, tmp_path):
    capped = replace(fast, max_requests=8)
    first = fetch(replay.base(), tmp_path, options=capped)
    assert first.requests == 8 and first.stopped and "--max-requests" in first.stopped
    assert first.count("fetched") == 2 and first.count("failed") == 0
    second = fetch(replay.base(), tmp_path, options=fast)
    assert second.count("fetched") == 3 and sum(1 for o in second.outcomes if o.reason == "already fetched") == 2


def test_council_names_come_from_the_site_address():
    assert council_name("https://democracy.halton.gov.uk") == "halton"
    assert council_name("https://moderngov.lambeth.gov.uk") == "lambeth"
    assert council_name("https://www.minutes.haringey.gov.uk") == "haringey"
    assert council_name("http://127.0.0.1:8765/halton") == "halton"
    assert slug("Children's Services: Q2 & Q3", 60) == "children-s-services-q2-and-q3"
    assert len(slug("word " * 40, 60)) <= 60


def test_default_options_are_polite():
    options = FetchOptions()
    assert options.delay >= 1.0 and options.retries >= 1 and options.backoff >= 1.0 and options.max_requests <= 5000
