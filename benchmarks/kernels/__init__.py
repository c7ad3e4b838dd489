"""One module per library kernel, each with ``bench(repeats) -> list[dict]`` (see ``benchmarks/run.py``).

``run.py`` imports every module here, so a new kernel is benchmarked by adding a module: it
returns, per comparison, a title, what its size counts, the library method the others are compared with,
whether to plot time against size or error against time, and rows of
``{"method", "size", "time", "error"}`` measured on identical inputs in one process.
"""
