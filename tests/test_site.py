"""The website, built from the stored outputs and opened in headless Chromium with no network.

A module fixture builds the site exactly as CI does (``jupyter-book build --all . -W -n
--keep-going``, execution off, so it takes seconds) and serves it on 127.0.0.1. Every HTML page
is then opened in Chromium; every request to another host is blocked and counted as a failure.
For each page the test checks that MathJax typeset every math element and left no raw TeX
delimiters in the text, that every image loaded, and that no request failed and no
JavaScript error occurred. A full-page screenshot of each page goes to _build/screenshots/.

Chromium is found as ``$CHROMIUM`` or ``chromium`` on the PATH (Debian: ``apt-get install
chromium``). Without it the test skips, except when ``CI`` is set, where it fails.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from booktools.toc import chapters, toc_entries

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

# Text nodes outside code and MathJax output that still hold TeX delimiters: math that was
# never typeset. `$\` catches single-dollar math whose TeX command is still visible.
RAW_TEX_JS = r"""() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const raw = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('pre, code, script, style, textarea, mjx-container')) continue;
    const text = node.textContent;
    if (/\\\(|\\\[|\$\$|\$\\[a-zA-Z]/.test(text)) raw.push(text.trim().slice(0, 80));
  }
  return raw;
}"""

MATH_JS = r"""async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  const math = [...document.querySelectorAll('.math')];
  return {math: math.length,
          typeset: math.filter(el => el.querySelector('mjx-container')).length,
          containers: document.querySelectorAll('mjx-container').length,
          mathjax: !!window.MathJax};
}"""

IMAGES_JS = r"""async () => {
  const imgs = [...document.images];
  await Promise.all(imgs.map(img => img.complete ? null : new Promise(r => { img.onload = img.onerror = r; })));
  return imgs.filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.getAttribute('src'));
}"""


# Console messages that are not failures. The book theme's layout starts every first visit
# with an empty colour mode, which pydata-sphinx-theme reports and then resets to "auto".
BENIGN_CONSOLE = ("Got invalid theme mode: . Resetting to auto.",)


def find_chromium() -> str | None:
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        message = (
            "Chromium is not installed: install it (Debian: `apt-get install chromium`) "
            "or point $CHROMIUM at a Chromium binary to run the browser test of the site"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def site() -> str:
    """Build the site from scratch, serve it on 127.0.0.1, yield its base URL."""
    shutil.rmtree(HTML, ignore_errors=True)  # never test pages left over from another build
    build = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from jupyter_book.cli.main import main; sys.exit(main())",
            "build",
            "--all",
            ".",
            "-W",
            "-n",
            "--keep-going",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, (
        f"site build failed:\n{build.stdout[-4000:]}\n{build.stderr[-4000:]}"
    )
    assert (HTML / "index.html").is_file(), (
        f"the build wrote no index.html:\n{build.stdout[-2000:]}"
    )
    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


def pages() -> list[str]:
    return sorted(
        str(p.relative_to(HTML))
        for p in HTML.rglob("*.html")
        if not p.relative_to(HTML).parts[0].startswith("_")
    )


def check_page(browser, base: str, page_path: str) -> list[str]:
    """Open one page; return what is wrong with it (empty if nothing)."""
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")

    def route(request_route):
        host = urlparse(request_route.request.url).hostname
        if request_route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            request_route.continue_()
        else:
            problems.append(f"request to another host: {request_route.request.url}")
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console error: {msg.text}")
            if msg.type == "error" and msg.text not in BENIGN_CONSOLE
            else None
        ),
    )
    page.on(
        "requestfailed", lambda req: problems.append(f"failed request: {req.url} ({req.failure})")
    )
    page.on(
        "response",
        lambda res: problems.append(f"HTTP {res.status}: {res.url}") if res.status >= 400 else None,
    )
    page.goto(base + page_path, wait_until="networkidle")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # load anything lazy
    page.wait_for_load_state("networkidle")

    math = page.evaluate(MATH_JS)
    if math["math"] and not math["mathjax"]:
        problems.append("page has math but MathJax did not load")
    if math["typeset"] < math["math"]:
        problems.append(
            f"{math['math'] - math['typeset']} of {math['math']} math elements not typeset"
        )
    if raw := page.evaluate(RAW_TEX_JS):
        problems.append(f"raw TeX left in the text: {raw[:3]}")
    if broken := page.evaluate(IMAGES_JS):
        problems.append(f"images that did not load: {broken}")

    shot = SCREENSHOTS / (page_path.replace("/", "__").removesuffix(".html") + ".png")
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    context.close()
    return problems


def test_site_pages_render_offline(chromium, site):
    from playwright.sync_api import sync_playwright

    found = pages()
    expected = {f"{e}.html" for e in toc_entries(ROOT)} | {"index.html"}
    assert expected <= set(found), f"pages missing from the build: {sorted(expected - set(found))}"
    report = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        for page_path in found:
            if problems := check_page(browser, site, page_path):
                report[page_path] = problems
        browser.close()
    assert not report, "\n".join(f"{page}:\n  " + "\n  ".join(v) for page, v in report.items())


def test_chapter_pages_have_typeset_math(chromium, site):
    """The math check above must have something to check: every chapter is full of math."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        for path in chapters(ROOT):
            page.goto(f"{site}book/{path.stem}.html", wait_until="networkidle")
            math = page.evaluate(MATH_JS)
            assert math["math"] > 10, (
                f"{path.stem}: expected a page full of math, found {math['math']}"
            )
            assert math["typeset"] == math["math"], f"{path.stem}: {math}"
        browser.close()
