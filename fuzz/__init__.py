"""The fuzzing harness of asukasbudjetti: every reader of user input, fed broken input.

Run it with ``python -m fuzz`` (see ``python -m fuzz --help`` and :mod:`fuzz.__main__`).
The modules, in the order a case flows through them:

- :mod:`fuzz.strategies`: hypothesis strategies for almost-right values (TOML, CSV,
  ``.pb`` fields, JSON, command line options);
- :mod:`fuzz.mutate`: byte, line, encoding and structure-aware mutations of a file;
- :mod:`fuzz.targets`: the targets (``pabulib``, ``cycle``, ``record``, ``options``, ``importers``),
  each making a :class:`~fuzz.targets.Case` from the project's fixtures and examples;
- :mod:`fuzz.check`: running a case through the real command line and the property it
  must keep (no traceback, no internal error, no partial output, no hang);
- :mod:`fuzz.campaign`: reproducible batches, worker processes, and the fixtures under
  ``tests/fixtures/fuzz/`` that tests/test_fuzz_regressions.py replays.

It lives beside ``src/`` and not inside the package: it is a tool of the project, like
the tests, and the installed command never needs it.
"""
