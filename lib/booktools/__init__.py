"""The book's own tooling, kept apart from the mathematics in :mod:`scispaces`.

- :mod:`booktools.toc`       -- the pages in ``_toc.yml`` order, and which of them are chapters.
- :mod:`booktools.notebooks` -- text sources (``book/src/*.md``) and executing them into notebooks.
- :mod:`booktools.status`    -- every chapter's stored ledger, gathered for the status page.
- :mod:`booktools.profiles`  -- the numerical profiles the notebooks are checked in.

Used by ``tools/refresh_outputs.py``, the tests, the benchmarks and the status and performance
pages; a reader who only wants the library never imports it.
"""
