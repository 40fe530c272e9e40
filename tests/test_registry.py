"""The rule registry: pabulib's names, every rule on one sanity instance, clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from asukasbudjetti.errors import UnknownRuleError
from asukasbudjetti.rules import RULES, get_rule, rule_names
from asukasbudjetti.tally import tally_file

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "kumpula_2025.pb"

# pabulib's META rule spellings (pabulib checker's list of valid rules) that are greedy.
PABULIB_GREEDY = {"greedy", "greedy-no-skip", "greedy-threshold", "greedy-exclusive", "greedy-custom"}


def test_registry_keys_are_the_rule_names() -> None:
    assert all(name == spec.name for name, spec in RULES.items())
    assert set(RULES) >= PABULIB_GREEDY
    assert rule_names() == sorted(RULES)


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_runs_on_the_example_within_budget(name: str) -> None:
    record = tally_file(EXAMPLE, rule=name, threshold=1 if name == "greedy-threshold" else None)
    outcome = record.outcomes[0]
    assert outcome.rule == name
    assert outcome.spent + outcome.left == outcome.budget
    assert outcome.left >= 0
    assert outcome.funded  # the example's cheapest projects fit whatever the rule


def test_unknown_name_lists_the_known_rules() -> None:
    with pytest.raises(UnknownRuleError) as caught:
        get_rule("greedy-but-nicer")
    message = str(caught.value)
    assert "greedy-but-nicer" in message
    for name in RULES:
        assert name in message


def test_official_unknown_rule_says_so_and_lists_rules(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("rule;greedy", "rule;unknown")
    path = tmp_path / "unknown.pb"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnknownRuleError) as caught:
        tally_file(path, rule="official")
    message = str(caught.value)
    assert "'unknown'" in message
    assert str(path) in message
    assert "greedy-no-skip" in message


def test_greedy_threshold_without_any_threshold_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="needs a threshold"):
        tally_file(EXAMPLE, rule="greedy-threshold")
