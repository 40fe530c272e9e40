"""The report in a real browser: headless Chromium driven by Selenium, checked by axe-core.

The Helsinki example's report in Finnish, Swedish and English, with its fairness
section (report --fairness), at 390 px (a phone) and 1280 px (a desktop): no console
error, no network request (the page is one file), no horizontal scrolling of the page at 390 px, and no accessibility
violation of impact serious or critical by axe-core. axe-core is pinned twice:
tests/browser/package.json (with its lock file) pins a current release from the
npm registry, which .ci/run installs with ``npm ci``; where npm is missing, the
copy the axe-selenium-python package bundles (pinned in pyproject.toml, an older
axe-core 3) stands in. Screenshots go to
tests/artifacts/. Debian's ``chromium`` and ``chromium-driver`` are needed: .ci/run
installs them when missing; where they cannot be installed the test is skipped,
saying why.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asukasbudjetti.cycles import tally_cycle
from asukasbudjetti.i18n import LANGS
from asukasbudjetti.io.record import write_record
from asukasbudjetti.publish.report import render_report

ROOT = Path(__file__).resolve().parent.parent
HELSINKI = ROOT / "examples" / "helsinki_2025"
ARTIFACTS = ROOT / "tests" / "artifacts"
WIDTHS = (390, 1280)


def _found(*names: str) -> str | None:
    for name in names:
        path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
        if path:
            return path
    return None


#: axe-core from the npm registry, as tests/browser/package-lock.json pins it (``npm ci --prefix tests/browser``).
NPM_AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"


def _axe_source() -> str:
    if NPM_AXE.is_file():
        return NPM_AXE.read_text(encoding="utf-8")
    import axe_selenium_python

    return (Path(axe_selenium_python.__file__).parent / "node_modules" / "axe-core" / "axe.min.js").read_text(
        encoding="utf-8"
    )


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    chromium = _found("chromium", "chromium-browser")
    chromedriver = _found("chromedriver")
    if chromium is None or chromedriver is None:
        pytest.skip(
            "Chromium or its driver is not installed (Debian: apt-get install chromium chromium-driver; "
            ".ci/run installs them when it runs as root); the report's browser test is skipped"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    browser = webdriver.Chrome(service=Service(chromedriver), options=options)
    # axe-core's run over a long report can outlast Selenium's default 30 s on a busy machine.
    browser.set_script_timeout(300)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("browser")
    record = folder / "helsinki.json"
    write_record(record, tally_cycle(HELSINKI / "cycle.toml"))
    found = {}
    for lang in LANGS:
        page = folder / f"report-{lang}.html"
        # With the fairness section (report --fairness): its tables, witnesses and histogram are checked too.
        page.write_text(
            render_report(record, "html", lang=lang, inputs_dir=str(HELSINKI), fairness=True, time_limit=10),
            encoding="utf-8",
        )
        found[lang] = page
    return found


def _requests(performance_log: list[dict[str, Any]]) -> list[str]:
    urls = []
    for entry in performance_log:
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_report_in_a_browser(driver: Any, pages: dict[str, Path], lang: str, width: int) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.get_log("browser")  # start each page with empty logs
    driver.get_log("performance")
    uri = pages[lang].as_uri()
    driver.get(uri)
    assert driver.execute_script("return document.documentElement.lang") == lang
    assert driver.execute_script("return document.readyState") == "complete"

    console = [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]
    assert console == []
    requests = [url for url in _requests(driver.get_log("performance")) if url != uri]
    assert requests == [], "the report fetched something"

    viewport = driver.execute_script("return document.documentElement.clientWidth")
    assert viewport == width
    if width == 390:
        overflow = _sideways(driver)
        assert overflow <= viewport, f"the page scrolls sideways at {width} px: {overflow} px wide"

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"report-{lang}-{width}.png"
    assert driver.save_screenshot(str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")

    assert _serious_violations(driver) == []


def _sideways(driver: Any) -> int:
    return int(
        driver.execute_script("return Math.max(document.body.scrollWidth, document.documentElement.scrollWidth)")
    )


def _serious_violations(driver: Any) -> list[str]:
    """axe-core's violations of impact serious or critical on the page open in ``driver``."""
    driver.execute_script(_axe_source())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(done, (e) => done({error: String(e)}));"
    )
    assert "error" not in result, result
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}; "
        + "; ".join(
            node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
            for node in violation["nodes"][:3]
        )
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_the_checks_catch_a_bad_page(driver: Any, tmp_path: Path) -> None:
    # An image with no text, grey on grey, and a table wider than a phone: the same
    # checks that pass the report must fail this page.
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>x</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>'
        '<p style="color:#bbb;background:#ccc">low contrast</p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<table style="width:900px"><tr><td>wide</td></tr></table></body></html>',
        encoding="utf-8",
    )
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 900, "deviceScaleFactor": 1, "mobile": True}
    )
    driver.get(bad.as_uri())
    assert _sideways(driver) > 390
    found = _serious_violations(driver)
    assert any(line.startswith("image-alt (critical)") for line in found), found
    assert any(line.startswith("color-contrast (serious)") for line in found), found
