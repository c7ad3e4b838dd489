"""Every chapter's ledger, read from its stored notebook, for the status page."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from booktools.toc import chapters, title
from scispaces.report import Table
from scispaces.verify import EVIDENCE, Ledger, load_ledger


@dataclass(frozen=True)
class ChapterLedger:
    """A chapter's ledger as stored in its executed notebook, with where to find the chapter."""

    name: str  # the notebook's stem
    page: str  # the chapter's HTML page, relative to the status page
    title: str
    ledger: Ledger

    def __repr__(self) -> str:
        return f"{self.title}\n{self.ledger!r}"

    def _repr_html_(self) -> str:
        """The ledger folded under a one-line summary, so the page lists chapters, not rows."""
        return (
            f'<details class="scispaces-status"><summary>{html.escape(self.ledger.summary())}'
            f' &mdash; <a href="{html.escape(self.page)}">read the chapter</a></summary>'
            f"{self.ledger.to_html()}</details>"
        )


def chapter_ledgers(root: str | Path) -> dict[str, ChapterLedger]:
    """The ledger of every chapter by notebook stem, in reading order; a chapter without one
    raises ValueError."""
    return {
        p.stem: ChapterLedger(p.stem, f"{p.stem}.html", title(p), load_ledger(p))
        for p in chapters(root)
    }


def status_table(ledgers: dict[str, ChapterLedger]) -> Table:
    """One row per chapter: its claims of evidence by kind, the checks not counted, the verdict."""
    rows = []
    for c in ledgers.values():
        counts = c.ledger.counts()
        evidence = sum(counts[k] for k in EVIDENCE)
        rows.append(
            [
                c.title,
                *(counts[k] for k in EVIDENCE),
                evidence,
                len(c.ledger.claims) - evidence,
                "all pass" if c.ledger.passed else "FAILED",
            ]
        )
    totals = [sum(r[i] for r in rows) for i in range(1, len(EVIDENCE) + 3)]
    rows.append(
        [
            "all chapters",
            *totals,
            "all pass" if all(r[-1] == "all pass" for r in rows) else "FAILED",
        ]
    )
    return Table(
        ["chapter", *EVIDENCE, "evidence", "not counted", "verdict"],
        rows,
        caption="Claims of evidence by kind in each chapter; definitions and sanity checks are "
        "shown in the ledgers but not counted",
    )
