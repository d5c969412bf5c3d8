"""A real browser: headless Chromium (Debian's chromium and chromium-driver, through Selenium) against
``boardpapers serve`` on a free port over the sample corpus.

It types a query, clicks a facet, opens a report, follows a citation to the PDF
page and one to a text paper's line, opens a trace and a similar search, and the
overview; it checks what is on each page and saves a screenshot of each in the
folder it prints (``BOARDPAPERS_SCREENSHOTS`` chooses it). Outside CI it is
skipped when no Chromium is installed; under CI (``CI=true``) it must run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow

#: Seconds the server gets to answer its first request, and the browser to find an element.
STARTUP_TIMEOUT, WAIT = 30.0, 10.0
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def _need_browser() -> None:
    missing = [name for name, found in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)) if not found]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (the dev extra)")
    if not missing:
        return
    reason = f"no {', '.join(missing)}: apt-get install chromium chromium-driver; pip install -e '.[dev]'"
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser test must run in CI, but there is {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(web_index, tmp_path):
    """``boardpapers serve`` in its own process; yields its base URL."""
    _need_browser()
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "serve", "--index", str(web_index), "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        try:
            urllib.request.urlopen(base + "/help", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("the server did not start: " + (tmp_path / "serve.log").read_text())
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture
def browser():
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1100",
        "--hide-scrollbars",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(WAIT)
    yield driver
    driver.quit()


@pytest.fixture
def shots(tmp_path_factory, engine):
    folder = Path(os.environ.get("BOARDPAPERS_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots")) / engine
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots of the browser test ({engine}): {folder}")
    return folder


def test_a_researcher_searches_narrows_reads_cites_traces_and_reuses(server, browser, shots, web_index):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    from .test_routes import ids

    by_file = ids(web_index)
    pdf_report, text_report = by_file["003_8f5a895c28ad9ad1.pdf"], by_file["003_8f5a895c28ad9ad1.txt"]

    def shot(name: str) -> None:
        browser.save_screenshot(str(shots / f"{name}.png"))

    # 1. type a query
    browser.get(server + "/")
    box = browser.find_element(By.NAME, "q")
    box.send_keys("performance", Keys.ENTER)
    assert "10 reports match" in browser.find_element(By.CLASS_NAME, "summary").text
    assert browser.find_elements(By.CSS_SELECTOR, "p.snippet mark")
    shot("01-search")

    # 2. click a facet: the papers about 2017/18-Q2
    browser.find_element(By.CSS_SELECTOR, 'section[data-dimension="quarter"] a[data-value="2017/18-Q2"]').click()
    assert browser.find_element(By.NAME, "q").get_attribute("value") == "performance quarter:2017/18-Q2"
    reports = browser.find_elements(By.CSS_SELECTOR, "li.report")
    assert {r.get_attribute("data-report-id") for r in reports} == {pdf_report, text_report}
    shot("02-facet")

    # 3. open the PDF paper's report
    browser.find_element(By.CSS_SELECTOR, f'li.report[data-report-id="{pdf_report}"] h2 a').click()
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Performance Management Reports")
    committee = browser.find_element(By.CSS_SELECTOR, 'tr[data-field="committee"]')
    assert "Children and Young People Policy and Performance Board" in committee.text
    recs = browser.find_elements(By.CSS_SELECTOR, "ol.recs li")
    assert len(recs) >= 2 and recs[0].find_element(By.CLASS_NAME, "label").text
    details = browser.find_elements(By.CSS_SELECTOR, "details.section")
    closed = next(d for d in details if d.get_attribute("open") is None)
    closed.find_element(By.TAG_NAME, "summary").click()  # sections are collapsible
    assert closed.get_attribute("open") is not None
    shot("03-report")

    # 4. follow a citation to the PDF at its page: a section on page 2
    assert committee.find_element(By.CSS_SELECTOR, "a.cite").get_attribute("href").endswith(f"{pdf_report}#page=1")
    link = next(
        a for a in browser.find_elements(By.CSS_SELECTOR, "details.section summary a.cite") if a.text.startswith("p.2 ")
    )
    report_page = browser.current_url
    link.click()
    assert browser.current_url.endswith(f"/source/{pdf_report}#page=2")
    assert browser.execute_script("return document.contentType") == "application/pdf"
    time.sleep(2.5)  # let the viewer scroll to the page and draw it
    shot("04-pdf-page")

    # 5. a trace, from a recommendation of the report
    browser.get(report_page)
    browser.find_element(By.CSS_SELECTOR, "ol.recs li a.trace").click()
    assert browser.find_elements(By.CSS_SELECTOR, "svg circle.mark")
    assert browser.find_element(By.CSS_SELECTOR, "li.step.seed")
    assert browser.find_elements(By.CSS_SELECTOR, ".wording del")
    assert browser.find_elements(By.CSS_SELECTOR, ".wording ins")
    shot("05-trace")

    # 6. a similar search, filtered by section kind
    browser.find_element(By.LINK_TEXT, "Similar wording").click()
    draft = "We are developing a strategy to improve the supply of foster carers"
    browser.find_element(By.NAME, "text").send_keys(draft)
    Select(browser.find_element(By.NAME, "section")).select_by_value("summary")
    browser.find_element(By.CSS_SELECTOR, "form.similar button").click()
    pairs = browser.find_elements(By.CSS_SELECTOR, "tr.pair")
    assert pairs
    assert pairs[0].find_elements(By.CSS_SELECTOR, "td.draft mark")
    assert "foster carers" in pairs[0].find_element(By.CSS_SELECTOR, "td.passage").text
    shot("06-similar")

    # 7. a text paper's citation opens it at the line
    browser.get(server + f"/report/{text_report}")
    cite = browser.find_element(By.CSS_SELECTOR, 'tr[data-field="subject"] a.cite')
    line = cite.text.split("l.")[1]
    cite.click()
    assert browser.current_url.endswith(f"#L{line}")
    row = browser.find_element(By.ID, f"L{line}")
    assert "Performance Management Reports" in row.text
    shot("07-text-line")

    # 8. the overview
    browser.find_element(By.LINK_TEXT, "Overview").click()
    assert browser.find_elements(By.CSS_SELECTOR, "table.coverage td.shade-1, table.coverage td.shade-5")
    assert "period_conflict" in browser.find_element(By.CSS_SELECTOR, "table.warnings").text
    shot("08-overview")

    assert sorted(p.name for p in shots.iterdir()) == [
        "01-search.png",
        "02-facet.png",
        "03-report.png",
        "04-pdf-page.png",
        "05-trace.png",
        "06-similar.png",
        "07-text-line.png",
        "08-overview.png",
    ]
