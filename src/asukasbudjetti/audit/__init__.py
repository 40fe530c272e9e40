"""Audit: what a result record says and whether it holds.

Each module takes a :class:`~asukasbudjetti.model.record.Record`:
:mod:`~asukasbudjetti.audit.verify` runs its tally again and compares byte for byte,
:mod:`~asukasbudjetti.audit.explain` says why each project was or was not funded,
:mod:`~asukasbudjetti.audit.margins` how far each unfunded project was,
:mod:`~asukasbudjetti.audit.diagnose` the smallest change that makes the declared
rule reproduce an announced outcome it does not reproduce, and
:mod:`~asukasbudjetti.audit.compare` sets several rules' outcomes side by side.
"""
