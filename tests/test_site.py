"""The website as its readers see it: built from the stored outputs, opened in headless Chromium.

A module fixture builds the site exactly as CI does (``jupyter-book build --all . -W -n
--keep-going``, execution off, so it takes seconds) and serves it on 127.0.0.1. Every HTML page
(the library's highlighted source in _modules/ included; redirects only checked for a target)
is opened at a laptop width (1400 px) and a phone width (390 px), with every request to another
host blocked. A full-page screenshot of each page at each width goes to _build/screenshots/
(``<page>-1400.png``, ``<page>-390.png``), taken as a reader first sees the page; the checks
then open all folded content (``<details>``: hidden code cells, the status page's ledgers).

The rules, with their thresholds (``check_page`` reports every breach, by rule):

- **offline**: no request to another host, no failed request or HTTP error, no JavaScript
  error; every image loaded; every math element typeset by MathJax and no raw TeX left; a
  chapter holds more than 10 math elements (so this rule has something to check).
- **page**: one search box in view; h1, h2, h3 each at least as heavy as the level below;
  a tab title that does not repeat itself ("Book — Book").
- **fits**: no element or text (a table, an equation, a code block, a figure, a long word)
  reaches more than 1 px beyond the text column, unless it sits in a box that scrolls sideways
  by design and that box fits; the page never scrolls sideways; no ``overflow: hidden`` box
  clips visible content.
- **ledger**: at 1400 px every ledger's "pass" column is in view with no sideways scrolling; at
  390 px every claim is a stacked card (each cell at least 90% of the ledger's width, with its
  label shown); a ledger's caption is never cut.
- **numbers**: no number in a ledger or in any table an output cell shows breaks across lines.
- **no repr**: no output cell shows a Python dict/list/tuple repr (also after ``name =``), an
  ``array(...)``, an ``<... object>`` or other ``<...>`` repr, or raw SymPy text (``x**2``,
  ``Derivative(``).
- **figure text**: a figure's smallest text is book/matplotlibrc's smallest font size (points)
  at the image's own dpi (its PNG pHYs chunk); scaled to the displayed width it must be at least
  ``MIN_FIGURE_TEXT_PX`` CSS px. From ``LAPTOP`` px up this must hold as displayed; on a phone a
  figure may instead link to its image file, where the text is full size.
- **contrast**: the text of ledgers, result tables and every other output table, their
  captions, the status page's summaries, figure captions, headings and prose has a WCAG
  contrast ratio of at least ``MIN_CONTRAST`` against its background, in light mode at both
  widths and in dark mode at 1400 px.

``test_checks_catch_a_broken_page`` serves a small page that breaks every rule and asserts that
each is reported, so a check that silently stopped working fails the suite.

Chromium is found as ``$CHROMIUM`` or ``chromium`` on the PATH (Debian: ``apt-get install
chromium``) and driven by Playwright with a fresh profile. Without it the tests skip, except
when ``CI`` is set, where they fail.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from booktools.toc import chapters, toc_entries

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
MATPLOTLIBRC = ROOT / "book" / "matplotlibrc"

WIDTHS = (1400, 390)  # a laptop, a phone (CSS px)
LAPTOP = 1000  # from this width up, figures must be readable as displayed
MIN_FIGURE_TEXT_PX = 10.0  # smallest figure text, in CSS px at the displayed size
MIN_CONTRAST = 4.5  # WCAG 2 AA, normal text

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

# Console messages that are not failures. The book theme's layout starts every first visit
# with an empty colour mode, which pydata-sphinx-theme reports and then resets to "auto".
BENIGN_CONSOLE = ("Got invalid theme mode: . Resetting to auto.",)

# What a reader should never have to decode: a container or array repr, an object's default
# repr, or SymPy's plain-text form of an expression.
REPR = re.compile(
    r"^\s*(\w[\w.\[\]']*\s*=\s*)?(\{|\[|\(|array\(|tensor\(|Matrix\(|<[\w.]+[ >])", re.MULTILINE
)
REPR_ANYWHERE = re.compile(
    r"(<[\w.]+ object\b|\bat 0x[0-9a-f]+|\barray\(|\btensor\(|\w\*\*\w|"
    r"\b(Derivative|Function|Symbol|Integral|Matrix)\()"
)

# --------------------------------------------------------------------------- in-page checks

# The checks that run in the page (tests/site_checks.js), one function per rule.
CHECKS_JS = (Path(__file__).parent / "site_checks.js").read_text(encoding="utf-8")


def run(page, check: str, arg=None):
    """Evaluate ``siteChecks.<check>(arg)`` from site_checks.js in ``page``."""
    return page.evaluate(
        f"async (arg) => {{\n{CHECKS_JS}\nreturn await siteChecks.{check}(arg);\n}}", arg
    )


# --------------------------------------------------------------------------- thresholds


def smallest_figure_font_pt(rc_file: Path = MATPLOTLIBRC) -> float:
    """The smallest font size, in points, that book/matplotlibrc gives any figure text."""
    import matplotlib
    from matplotlib.font_manager import font_scalings

    rc = matplotlib.rc_params_from_file(str(rc_file), use_default_template=True)
    base = float(rc["font.size"])
    sizes = [base]
    for key, value in rc.items():
        if key.endswith(("fontsize", "labelsize", "titlesize")) and value is not None:
            scale = font_scalings.get(value) if isinstance(value, str) else None
            sizes.append(base * scale if scale is not None else float(value))
    return min(sizes)


def figure_problems(figures: list[dict], width: int, min_pt: float) -> list[tuple[str, str]]:
    """Rule "figure text" for the figures ``siteChecks.figures`` found on a page at one width."""
    problems = []
    for f in figures:
        dpi = f["dpi"] or 100.0
        natural_px = min_pt / 72 * dpi  # the smallest text, in image pixels
        shown_px = natural_px * f["shown"] / f["natural"]
        if shown_px >= MIN_FIGURE_TEXT_PX:
            continue
        where = (
            f"{f['src']}: text about {shown_px:.1f} px as displayed ({f['natural']} px wide "
            f"at {dpi:.0f} dpi shown {f['shown']:.0f} px; needs {MIN_FIGURE_TEXT_PX:g} px)"
        )
        if width >= LAPTOP:
            problems.append(("figure text", f"{where}: make the figure at most 8 inches wide"))
        elif not f["openable"]:
            problems.append(("figure text", f"{where}, and it does not link to its image file"))
        elif natural_px < MIN_FIGURE_TEXT_PX:
            problems.append(
                ("figure text", f"{where}, and even full size it is {natural_px:.1f} px")
            )
    return problems


def repr_problems(texts: list[list[str]]) -> list[tuple[str, str]]:
    """Rule "no repr" for the output texts ``siteChecks.outputTexts`` found on one page."""
    problems = []
    for kind, text in texts:
        text = text.strip()
        if not text:
            continue
        if (kind == "text" and REPR.search(text)) or REPR_ANYWHERE.search(text):
            problems.append(("no repr", f"output shows a Python/SymPy repr: {text[:80]!r}"))
    return problems


# --------------------------------------------------------------------------- the browser


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


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1; yield its base URL."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


HANG_GUARD_MS = 600_000  # per page action: only a hung browser may fail the test on time


@contextmanager
def browser_for(chromium: str):
    """Playwright's Chromium: the system binary, headless, a fresh profile, no network."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            service_workers="block",
        )
        context.set_default_timeout(HANG_GUARD_MS)  # Playwright's 30 s default is a speed test
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
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
        timeout=1800,  # a hang guard only: a slow or busy machine must still pass
    )
    assert build.returncode == 0, (
        f"site build failed:\n{build.stdout[-4000:]}\n{build.stderr[-4000:]}"
    )
    assert (HTML / "index.html").is_file(), (
        f"the build wrote no index.html:\n{build.stdout[-2000:]}"
    )
    with serve(HTML) as base:
        yield base


REDIRECT = re.compile(r'<meta http-equiv="refresh" content="0; url=([^"]+)"', re.IGNORECASE)


def pages() -> list[str]:
    """Every HTML page of the build, the library's highlighted source (_modules/) included, but
    redirects (index.html), whose targets must exist."""
    found = []
    for path in sorted(HTML.rglob("*.html")):
        top = path.relative_to(HTML).parts[0]
        if top.startswith("_") and top != "_modules":
            continue
        if redirect := REDIRECT.search(path.read_text(encoding="utf-8")):
            target = (path.parent / redirect.group(1)).resolve()
            assert target.is_file(), (
                f"{path.name} redirects to {redirect.group(1)}, which is missing"
            )
            continue
        found.append(str(path.relative_to(HTML)))
    return found


def check_page(
    context, url: str, width: int, shot: Path | None, min_pt: float, dark: bool, min_math: int = 0
) -> list[tuple[str, str]]:
    """Open one page at one window width; return (rule, problem) for every rule it breaks.

    ``min_math``: the page must hold more math elements than this (a chapter is full of math;
    the math rule must have something to check).
    """
    problems: list[tuple[str, str]] = []

    def route(request_route):
        request = request_route.request
        if (
            request.url.startswith(("data:", "blob:"))
            or urlparse(request.url).hostname == "127.0.0.1"
        ):
            request_route.continue_()
        else:
            problems.append(("offline", f"request to another host: {request.url}"))
            request_route.abort()

    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.route("**/*", route)
    page.on("pageerror", lambda exc: problems.append(("offline", f"JavaScript error: {exc}")))
    page.on(
        "console",
        lambda msg: (
            problems.append(("offline", f"console error: {msg.text}"))
            if msg.type == "error" and msg.text not in BENIGN_CONSOLE
            else None
        ),
    )
    page.on(
        "requestfailed",
        lambda req: (
            problems.append(("offline", f"failed request: {req.url} ({req.failure})"))
            if urlparse(req.url).hostname == "127.0.0.1"
            else None
        ),
    )
    page.on(
        "response",
        lambda res: (
            problems.append(("offline", f"HTTP {res.status}: {res.url}"))
            if res.status >= 400
            else None
        ),
    )
    try:
        page.goto(url, wait_until="load")
        run(page, "settle")
        problems += [tuple(p) for p in run(page, "render")]
        math = page.evaluate("() => document.querySelectorAll('.math').length")
        if min_math and math <= min_math:
            problems.append(
                ("offline", f"expected more than {min_math} math elements, found {math}")
            )
        if shot is not None:
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
        run(page, "openFolds")
        checks = (
            ("pageChrome", None),
            ("fits", None),
            ("ledgers", width >= LAPTOP),
            ("numbers", None),
        )
        for check, arg in checks:
            problems += [tuple(p) for p in run(page, check, arg)]
        problems += repr_problems(run(page, "outputTexts"))
        problems += figure_problems(run(page, "figures"), width, min_pt)
        problems += [tuple(p) for p in run(page, "contrast", MIN_CONTRAST)]
        if dark:
            run(page, "dark")
            problems += [
                (rule, f"dark mode: {text}") for rule, text in run(page, "contrast", MIN_CONTRAST)
            ]
    finally:
        page.close()
    return problems


# --------------------------------------------------------------------------- the tests


def test_site_pages_read_well_offline(chromium, site):
    found = pages()
    expected = {f"{e}.html" for e in toc_entries(ROOT)}
    assert expected <= set(found), f"pages missing from the build: {sorted(expected - set(found))}"
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    min_pt = smallest_figure_font_pt()
    chapter_pages = {f"book/{path.stem}.html" for path in chapters(ROOT)}
    report = {}
    with browser_for(chromium) as context:
        for width in WIDTHS:
            for page_path in found:
                shot = SCREENSHOTS / (
                    page_path.replace("/", "__").removesuffix(".html") + f"-{width}.png"
                )
                problems = check_page(
                    context,
                    site + page_path,
                    width,
                    shot,
                    min_pt,
                    dark=width == WIDTHS[0],
                    min_math=10 if page_path in chapter_pages else 0,
                )
                if problems:
                    report[f"{page_path} at {width} px"] = problems
    assert not report, "\n".join(
        f"{page}:\n  " + "\n  ".join(f"[{rule}] {text}" for rule, text in v)
        for page, v in report.items()
    )


def test_search_finds_a_decimal_number_with_a_snippet(chromium, site):
    """Offline search finds "8.33" (Sphinx alone drops number-only query terms) and shows where."""
    with browser_for(chromium) as context:
        page = context.new_page()
        page.goto(f"{site}search.html?q=8.33", wait_until="load")
        page.wait_for_selector("#search-results li p.context")
        results = page.evaluate(
            "() => [...document.querySelectorAll('#search-results li')].map(li => li.innerText)"
        )
    assert any("8.33" in r.split("\n", 1)[-1] for r in results), (
        f"no result shows 8.33 in its snippet: {results}"
    )


BROKEN_PAGE = Path(__file__).parent / "site_broken_page.html"  # breaks every rule once


def test_checks_catch_a_broken_page(chromium, tmp_path):
    """Each rule reports a page that breaks it (so no check can silently stop working)."""
    from PIL import Image

    # A figure 3000 px wide at 100 dpi (30 inches) shown 300 px wide, with no link to open it.
    Image.new("RGB", (3000, 600), "white").save(tmp_path / "tiny_text.png", dpi=(100, 100))
    shutil.copy(BROKEN_PAGE, tmp_path / "index.html")
    min_pt = smallest_figure_font_pt()
    with serve(tmp_path) as base, browser_for(chromium) as context:
        found = {
            width: check_page(context, base + "index.html", width, None, min_pt, dark=False)
            for width in WIDTHS
        }
    rules = {rule for problems in found.values() for rule, _ in problems}
    expected = {
        "offline",
        "page",
        "fits",
        "ledger",
        "numbers",
        "no repr",
        "figure text",
        "contrast",
    }
    assert expected <= rules, f"rules that reported nothing: {sorted(expected - rules)}\n{found}"
    texts = "\n".join(text for problems in found.values() for _, text in problems)
    for needle in (
        "request to another host",
        "2 search boxes in view",
        "headings get lighter than the level below",
        "the tab title repeats itself",
        "JavaScript error",
        "not typeset",
        "wider than the column",
        "text wider than the column",
        "content clipped",
        "the pass column is out of view",
        "must be scrolled sideways",
        '"5.0e-09" breaks across lines',
        "{32: (-7.774705, 8.232)}",
        "Derivative(",
        "tiny_text.png",
        "does not link to its image file",
        "Grey on light grey",
    ):
        assert needle in texts, f"no problem mentions {needle!r}:\n{texts}"
