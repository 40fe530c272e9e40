"""The result record: canonical JSON that anyone can reproduce bit for bit.

Keys are sorted, money is exact decimal text (or ``p/q`` when it has no finite
decimal form), there are no floats, no timestamps and no absolute paths: two runs
on the same inputs with the same version give byte-identical records on any
machine.
"""

from __future__ import annotations

import json
import os
import tempfile
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from asukasbudjetti import __version__
from asukasbudjetti.errors import InputError, OutputError
from asukasbudjetti.money import format_money
from asukasbudjetti.outcome import Outcome
from asukasbudjetti.tally import PotResult, TallyResult

SCHEMA_VERSION = 1


def build_record(result: TallyResult) -> dict[str, Any]:
    """The record of a tally as plain JSON data."""
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "asukasbudjetti", "version": __version__},
        "requested_rule": result.requested_rule,
        "invocation": plain(result.invocation),
        "inputs": [digest.model_dump() for digest in result.inputs],
        "outcomes": [_pot(pot) for pot in result.pots],
        "warnings": [
            {"file": Path(w.file).name, "line": w.line, "code": w.code, "message": str(w)}
            for w in result.warnings
        ],
    }
    if result.cycle is not None:
        record["cycle"] = {
            "name": result.cycle,
            "decisions": [dict(d) for d in result.decisions],
            "leftover_moves": plain(result.leftover_moves),
        }
    return record


def _pot(pot: PotResult) -> dict[str, Any]:
    outcome = pot.outcome
    entry: dict[str, Any] = {
        "pot": pot.pot,
        "source": pot.source,
        "rule": outcome.rule,
        "params": outcome.params,
        **_money_summary(outcome),
        "ties": [tie.model_dump() for tie in outcome.ties],
        "steps": [
            {
                "rank": step.rank,
                "project": step.project_id,
                "score": step.score,
                "votes": step.votes,
                "cost": format_money(step.cost),
                "money_left": format_money(step.money_left),
                "decision": step.decision.value,
                "reason": step.reason,
            }
            for step in outcome.greedy_steps
        ],
    }
    for tie in entry["ties"]:
        tie["projects"] = list(tie["projects"])
        tie["settled_by"] = list(tie["settled_by"])
    # The traces of the other rules, present only when the rule produced them.
    for name in ("endowment", "mes_rounds", "completion", "phragmen_rounds", "comparison", "optimum", "ineligible"):
        value = getattr(outcome, name)
        if value is not None and value != ():
            entry[name] = plain(value)
    if pot.names:
        entry["names"] = dict(pot.names)
    if pot.margins:
        entry["margins"] = [dict(m) for m in pot.margins]
    if pot.announced is not None:
        entry["announced"] = {
            "funded": list(pot.announced.funded),
            "outside_money": list(pot.announced.outside_money),
            "missing": list(pot.announced.missing),
            "extra": list(pot.announced.extra),
            "matches": pot.announced.matches,
        }
    return entry


def plain(value: object) -> Any:
    """JSON data for a model value: exact numbers as text, tuples as lists, enums as values."""
    if isinstance(value, Fraction):
        return format_money(value) if value >= 0 else "-" + format_money(-value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, BaseModel):
        return {name: plain(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def _money_summary(outcome: Outcome) -> dict[str, Any]:
    reserve = outcome.reserve
    return {
        "budget": format_money(outcome.budget),
        "funded": list(outcome.funded),
        "spent": format_money(outcome.spent),
        "left": format_money(outcome.left),
        "reserve": None
        if reserve is None
        else {
            "project": reserve.project_id,
            "cost": format_money(reserve.cost),
            "from_pot": format_money(reserve.from_pot),
            "from_reserve": format_money(reserve.from_reserve),
        },
    }


def read_record_file(path: str | os.PathLike[str]) -> tuple[bytes, dict[str, Any]]:
    """A record file's bytes and its JSON object; every command that reads records uses it.

    Raises :class:`~asukasbudjetti.errors.InputError` naming the file when it cannot
    be read, is not UTF-8 JSON, or is not a JSON object.
    """
    source = str(path)
    try:
        raw = Path(source).read_bytes()
    except OSError as exc:
        raise InputError(f"{source}: cannot read the record: {exc.strerror or exc}") from exc
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not a result record: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: not a result record: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    if not isinstance(record, dict):
        raise InputError(f"{source}: not a result record: expected a JSON object, found {type(record).__name__}")
    return raw, record


def dumps_record(record: dict[str, Any]) -> str:
    """Canonical text of a record: sorted keys, no insignificant white space, UTF-8,
    one final newline. (Compact output also keeps to json's C encoder, several times
    faster than its indenting one on a large city's Equal Shares trace; for reading,
    pipe it through ``python -m json.tool``.)"""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False) + "\n"


def write_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it into place."""
    target = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    except OSError as exc:
        raise OutputError(f"{target}: cannot write the file: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        # mkstemp makes the file private; give it the permissions a new file would get.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"{target}: cannot write the file: {exc.strerror or exc}") from exc
