"""Five small additions to the Sphinx build of the book.

1. Offline search that finds decimal numbers: a query for "8.33" finds the pages that say 8.33.
   Sphinx's English search splits "8.33" into "8" and "33" when it builds the index, and its
   search page drops every query term made only of digits, so a number could never be found.
   This search language keeps a decimal number (digits, a point, digits) as one word in the
   index and in the query; everything else is Sphinx's English search unchanged.

2. NumPy-style references in docstrings (``... as in [1]_`` with ``.. [1] A. Author, ...``
   under *References*) become plain text: "[1]" in the text and a list of "[1] A. Author, ..."
   under the heading. As citations, two functions on one page that both cite a "[1]" collide,
   and MyST's footnote pass rejects them on a Markdown page.

3. A bibliography style for names written family name first. The blog's author is cited as
   the literal name ``{Su Jianlin (苏剑林)}``, shown as written, like the prose says it; the
   alpha labels would take "SuJ" from it, so a literal name of several words gives its first
   word ("Su19"). Every other name is formatted and labelled as in pybtex's alpha style, with
   one change: the letters that tell apart two entries of one label ("Su21a", "Su21b") are
   given once for the whole bibliography file, in the file's order, not per page. Per page,
   two chapters would each call a different post "Su21a", and Sphinx rejects a label that
   names two entries.

4. A documented constant (``PORTABLE_MARGIN = 30``) shows its own description, not the
   docstring of its type (``int([x]) -> integer ...``), which autodoc otherwise borrows.

5. MathJax on every page: the status page's math lives only in HTML outputs (the ledgers),
   which Sphinx cannot see, so by default it would not load MathJax there.
"""

from __future__ import annotations

import inspect
import re
from collections import defaultdict
from pathlib import Path

from pybtex.database import parse_file
from pybtex.plugin import register_plugin
from pybtex.style.formatting.alpha import Style as AlphaStyle
from pybtex.style.labels.alpha import LabelStyle as AlphaLabelStyle
from sphinx.search.en import SearchEnglish

# The query splitter (language_data.js): decimals first, then Sphinx's own word characters.
JS_SPLITTER = r"""
var splitQuery = (query) =>
  query.match(/\d+(?:\.\d+)+|[\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu) || [];
"""


class SearchEnglishNumbers(SearchEnglish):
    _word_re = re.compile(r"\d+(?:\.\d+)+|\w+")
    js_splitter_code = JS_SPLITTER


CITATION = re.compile(r"^(\s*)\.\. \[(\d+)\]\s*(.*)$")  # the entry:  .. [1] A. Author, ...
CITE = re.compile(r"\[(\d+)\]_")  # a reference in the text:  ... [1]_


def plain_references(app, what, name, obj, options, lines):
    """Turn a docstring's ``[1]_`` / ``.. [1] ...`` into "[1]" and a list item "[1] ..."."""
    out, entry_indent = [], None
    for line in lines:
        if m := CITATION.match(line):
            indent = m.group(1)
            entry_indent = len(indent)
            out.append(f"{indent}- [{m.group(2)}] {m.group(3)}")
        elif (
            entry_indent is not None
            and line.strip()
            and len(line) - len(line.lstrip()) > entry_indent
        ):
            out.append(" " * (entry_indent + 2) + line.strip())  # continuation of the entry
        else:
            entry_indent = None if line.strip() else entry_indent
            out.append(CITE.sub(r"[\1]", line))
    lines[:] = out


def drop_type_docstring(app, what, name, obj, options, lines):
    """A constant's docstring is its type's: drop it, keep the description written for it."""
    if what not in ("data", "attribute") or not lines:
        return
    borrowed = inspect.cleandoc(type(obj).__doc__ or "").splitlines()
    if borrowed and lines[0].strip() == borrowed[0].strip():
        lines.clear()


class LiteralNameLabels(AlphaLabelStyle):
    def format_lab_names(self, persons):
        if len(persons) == 1 and not persons[0].first_names and len(persons[0].last_names) == 1:
            words = persons[0].last_names[0].strip("{}").split()
            if len(words) > 1:  # a literal name such as {Su Jianlin (苏剑林)}: its family name
                return words[0]
        return super().format_lab_names(persons)

    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield BOOK_LABELS.get(entry.key) or self.format_label(entry)


BOOK_LABELS: dict[str, str] = {}  # entry key -> its label, unique over the whole file


def label_whole_file(app, config):
    """Give every entry of the book's .bib files its label once, suffixes in file order."""
    style, by_label = LiteralNameLabels(), defaultdict(list)
    for name in config.bibtex_bibfiles:
        for key, entry in parse_file(Path(app.srcdir, name)).entries.items():
            by_label[style.format_label(entry)].append(key)
    BOOK_LABELS.clear()
    for label, keys in by_label.items():
        for i, key in enumerate(keys):
            BOOK_LABELS[key] = label if len(keys) == 1 else label + chr(ord("a") + i)


class BookStyle(AlphaStyle):
    default_label_style = "scispaces"


def setup(app):
    register_plugin("pybtex.style.labels", "scispaces", LiteralNameLabels)
    register_plugin("pybtex.style.formatting", "scispaces", BookStyle)
    # MathJax on every page: the status page's ledgers hold inline math only in HTML outputs,
    # which Sphinx does not see, so it would leave MathJax off that page.
    app.set_html_assets_policy("always")
    app.connect("config-inited", label_whole_file)
    app.add_search_language(SearchEnglishNumbers)
    app.connect("autodoc-process-docstring", plain_references, priority=600)
    app.connect("autodoc-process-docstring", drop_type_docstring)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
