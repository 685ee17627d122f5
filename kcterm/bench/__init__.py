"""`kcterm bench` (or `python -m kcterm.bench`): issue 14's benchmarks, each figure beside its
contender in the same run, written as a Markdown table and a PNG plot.

Nothing of the app imports this package: the command imports it when it runs (kcterm.app
dispatches `kcterm bench` before anything else is imported). tests/perf holds thin wrappers
that run the same functions and print their rows.
"""
