"""ingest on a Dask cluster: parsed on Dask workers, committed here through the path ``workers`` uses.

A real cluster of worker processes (two, one thread each): ``local:2`` started
by the ingest itself, and, for the other tests, one LocalCluster for the
module reached by its scheduler address (``tcp://...``) as a remote cluster
would be. Whatever the executor, the outcomes, the ledger and the index's
content are those of ``workers=2``; a worker that dies mid-paper has the paper
parsed elsewhere, or failed with the reason; a client killed mid-run loses
nothing committed, and the re-run completes without duplicates.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT
from test_ingest_workers import COMMIT_EVERY, N_PAPERS, SectionsParser, content, ledger_state, outcomes, paper_text

from pipeline.index import open_index
from pipeline.ingest import WORKER_DIED, ingest
from pipeline.ingest.cluster import LOCAL_ALLOWED_FAILURES, LOCAL_HTTP_ADDRESS
from pipeline.ingest.ledger import Ledger

distributed = pytest.importorskip("distributed", reason="the cluster extra: pip install 'boardpapers[cluster]'")

#: Seconds a paper of the client-kill test takes to parse (so that the run is killed part way).
SLOW_PARSE_S = 0.25


class ContentParser(SectionsParser):
    """The generated papers' parser, its record's sha256 the file's (as the real parser's), not its path's."""

    def __call__(self, path: Path):
        report = super().__call__(path)
        return replace(report, source=replace(report.source, sha256=hashlib.sha256(path.read_bytes()).hexdigest()))


class KillingParser(ContentParser):
    """Kills the worker process parsing ``name`` (``os._exit``): every time, or only the first (``once``).

    Each death leaves a marker file in ``markers``, so the test counts the deaths
    and a retried paper knows it was tried before. Picklable: it runs on the workers.
    """

    def __init__(self, name: str, markers: Path, *, once: bool) -> None:
        self.name, self.markers, self.once = name, markers, once

    def __call__(self, path: Path):
        if path.name == self.name:
            deaths = len(list(self.markers.iterdir()))
            if not (self.once and deaths):
                (self.markers / f"death-{deaths}").write_text(str(os.getpid()))
                os._exit(1)
        return super().__call__(path)


class SlowParser(ContentParser):
    def __call__(self, path: Path):
        time.sleep(SLOW_PARSE_S)
        return super().__call__(path)


@pytest.fixture(scope="module")
def scheduler():
    """A LocalCluster of two worker processes for the module, reached by address like a remote one."""
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": LOCAL_ALLOWED_FAILURES}):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=LOCAL_HTTP_ADDRESS
        )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The generated papers ingested with two local worker processes: what every executor must give."""
    rng = random.Random(6)
    folder = tmp_path_factory.mktemp("dask") / "papers"
    (folder / "sub").mkdir(parents=True)
    for k in range(N_PAPERS):
        where = folder / "sub" if k % 5 == 4 else folder
        (where / f"p{k:02d}.txt").write_text(paper_text(k, rng))
    index_dir = folder.parent / "workers-2"
    summary = ingest([folder], index_dir, parser=ContentParser(), workers=2, commit_every=COMMIT_EVERY)
    assert summary.count("indexed") == N_PAPERS
    return folder, outcomes(summary), ledger_state(index_dir), content(index_dir)


@pytest.mark.slow
def test_the_sample_corpus_gives_the_records_ledger_and_index_of_two_workers(scheduler, tmp_path):
    two = ingest([CORPUS], tmp_path / "two", workers=2, commit_every=3, pdf_engine="pdfium")
    dask = ingest([CORPUS], tmp_path / "dask", dask=scheduler, commit_every=3, pdf_engine="pdfium")
    assert two.count("indexed") == 10 and outcomes(dask) == outcomes(two)
    assert ledger_state(tmp_path / "dask") == ledger_state(tmp_path / "two")
    assert content(tmp_path / "dask") == content(tmp_path / "two")


@pytest.mark.parametrize(
    "where, ship_bytes",
    [
        pytest.param("local:2", False, id="local-cluster", marks=pytest.mark.slow),  # starts a cluster of its own
        pytest.param("address", False, id="paths"),
        pytest.param("address", True, id="bytes"),
    ],
)
def test_a_synthetic_archive_gives_the_records_ledger_and_index_of_two_workers(
    reference, scheduler, tmp_path, where, ship_bytes
):
    """``local:2`` starts its own LocalCluster; ``address`` reaches the module's by its scheduler's address."""
    folder, want_outcomes, want_ledger, want_content = reference
    address = scheduler if where == "address" else where
    summary = ingest(
        [folder],
        tmp_path / "index",
        parser=ContentParser(),
        dask=address,
        ship_bytes=ship_bytes,
        commit_every=COMMIT_EVERY,
    )
    assert outcomes(summary) == want_outcomes
    assert ledger_state(tmp_path / "index") == want_ledger
    assert content(tmp_path / "index") == want_content
    again = ingest([folder], tmp_path / "index", parser=ContentParser(), dask=scheduler)
    assert {o.status for o in again.outcomes} == {"unchanged"}


@pytest.mark.slow
def test_a_paper_whose_worker_dies_once_is_parsed_again_on_another(reference, scheduler, tmp_path):
    folder, want_outcomes, want_ledger, want_content = reference
    markers = tmp_path / "markers"
    markers.mkdir()
    parser = KillingParser("p07.txt", markers, once=True)
    summary = ingest([folder], tmp_path / "index", parser=parser, dask=scheduler, commit_every=COMMIT_EVERY)
    assert len(list(markers.iterdir())) == 1  # a worker died on it, once
    assert outcomes(summary) == want_outcomes
    assert content(tmp_path / "index") == want_content


@pytest.mark.slow
def test_a_paper_that_kills_every_worker_fails_with_the_reason_and_the_rest_is_indexed(reference, scheduler, tmp_path):
    folder, want_outcomes, _, _ = reference
    markers = tmp_path / "markers"
    markers.mkdir()
    parser = KillingParser("p11.txt", markers, once=False)
    summary = ingest([folder], tmp_path / "index", parser=parser, dask=scheduler, commit_every=COMMIT_EVERY)
    assert len(list(markers.iterdir())) == LOCAL_ALLOWED_FAILURES + 1  # tried on that many workers
    (failed,) = summary.failed
    assert Path(failed.path).name == "p11.txt" and WORKER_DIED in failed.reason and failed.path in failed.reason
    assert [o for o in outcomes(summary) if o[0] != failed.path] == [o for o in want_outcomes if o[0] != failed.path]
    with Ledger.open(tmp_path / "index") as ledger:
        assert {e.path: e.status for e in ledger.entries()}[str((folder / "p11.txt").resolve())] == "failed"
    with open_index(tmp_path / "index") as ix:
        assert len(ix.files()) == N_PAPERS - 1


CLIENT = textwrap.dedent(
    """
    import sys
    sys.path[:0] = [{tests!r}, {ingest_tests!r}]
    from test_dask import SlowParser
    from pipeline.ingest import ingest

    ingest([sys.argv[1]], sys.argv[2], parser=SlowParser(), dask=sys.argv[3], commit_every=2,
           progress=lambda done, total, o: print(done, flush=True))
    """
).format(tests=str(ROOT / "tests"), ingest_tests=str(ROOT / "tests" / "ingest"))


@pytest.mark.slow
def test_a_client_killed_mid_run_loses_nothing_committed_and_the_rerun_completes_without_duplicates(
    reference, scheduler, tmp_path
):
    folder, want_outcomes, want_ledger, want_content = reference
    index_dir = tmp_path / "index"
    client = subprocess.Popen(
        [sys.executable, "-c", CLIENT, str(folder), str(index_dir), scheduler],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert client.stdout is not None
    for line in client.stdout:
        if int(line) >= N_PAPERS // 2:
            break
    client.send_signal(signal.SIGKILL)
    client.wait()
    with Ledger.open(index_dir) as ledger:
        recorded = {e.path for e in ledger.entries() if e.status == "indexed"}
    with open_index(index_dir) as ix:
        held = set(ix.files())
    assert recorded and recorded <= held and len(held) < N_PAPERS  # killed part way, after some commits
    rerun = ingest([folder], index_dir, parser=ContentParser(), dask=scheduler, commit_every=COMMIT_EVERY)
    statuses = {Path(o.path).resolve().as_posix(): o.status for o in rerun.outcomes}
    assert {p for p, s in statuses.items() if s == "unchanged"} == held  # nothing committed is parsed again
    assert {s for p, s in statuses.items() if p not in held} == {"indexed"}
    assert ledger_state(index_dir) == want_ledger
    assert content(index_dir) == want_content  # each paper once
    assert json.dumps(sorted(want_content["files"])) == json.dumps(sorted(held | set(statuses)))
