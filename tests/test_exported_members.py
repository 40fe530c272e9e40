"""The public names: everything in __all__ exists, and __all__ is sorted."""

from __future__ import annotations

import asukasbudjetti


def test_all_is_sorted_and_complete() -> None:
    assert asukasbudjetti.__all__ == sorted(asukasbudjetti.__all__)
    for name in asukasbudjetti.__all__:
        assert hasattr(asukasbudjetti, name), name


def test_public_callables_are_documented() -> None:
    for name in asukasbudjetti.__all__:
        member = getattr(asukasbudjetti, name)
        if callable(member) and not name.endswith("Error"):
            assert member.__doc__, f"{name} has no docstring"
