"""Plain-language reasons, per project, read from a result record alone.

:func:`explain` turns a record (``asukasbudjetti tally --json`` or ``-o``) into one
paragraph per project, in English or Finnish: why a greedy rule funded it, passed
it over or never reached it; in which round Equal Shares funded it and what its
supporters paid, or why they could not; in which round Phragmén funded it or
removed it; whether it is in the utilitarian optimum. Nothing is recomputed: every
number comes from the record (money is parsed exactly with :class:`Fraction` and
written back with :func:`~asukasbudjetti.money.format_money`; the only arithmetic
is the difference of two recorded amounts, such as the money that remained after
a project). A record names only the projects its trace mentions, so a project a
rule never priced (an unfunded one under ``max-welfare``, one that stopped fitting
after Phragmén's last round) may have no paragraph; see ../docs/explain.md.

Money is shown as exact text: whole amounts as they are (``1200``), cents with two
decimals (``999.80``), an amount with no finite decimal form as a fraction with an
approximation (``8125/3 ≈ 2708.33``). Finnish text uses a decimal comma.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from asukasbudjetti.errors import InputError
from asukasbudjetti.money import format_money
from asukasbudjetti.record import SCHEMA_VERSION, read_record_file

Lang = Literal["en", "fi"]

#: How many known project ids an "unknown project" error lists.
SHOWN_IDS = 10

_SETTLED_FI = {
    "lower cost": "pienempi kustannus",
    "more votes": "enemmän ääniä",
    "lottery": "arvonta",
    "lower total cost": "pienempi kokonaiskustannus",
}


class _MalformedError(Exception):
    """A record value is missing or of the wrong kind."""


# --- loading ---------------------------------------------------------------------------------------------------


def load_record(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a result record written by ``asukasbudjetti tally --json`` or ``-o``.

    Raises :class:`~asukasbudjetti.errors.InputError` naming the file when it cannot
    be read, is not JSON, or is not a record of the layout this version reads.
    """
    file = Path(path)
    _, data = read_record_file(file)
    if not isinstance(data.get("outcomes"), list):
        raise InputError(
            f"{file}: not a result record (no 'outcomes' list); "
            "expected a record from 'asukasbudjetti tally --json' or '-o'"
        )
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise InputError(f"{file}: record schema_version {version!r}; this version reads {SCHEMA_VERSION}")
    return data


# --- the entry point ---------------------------------------------------------------------------------------------


def explain(record: dict[str, Any], project: str | None = None, lang: Lang = "en") -> list[str]:
    """One paragraph per project, pot by pot, each pot's projects in its own order.

    The order is the greedy walk (rank) for greedy rules; for the other rules, the
    projects their rounds funded, in round order, then the rest of ``funded``, then
    the others in the order the trace first names them. With ``project``, only that
    project's paragraphs (one per pot naming it). In a record of several pots every
    paragraph starts with the pot's name.

    Raises :class:`~asukasbudjetti.errors.InputError` when ``project`` is not named
    in the record (the message lists some ids that are), when ``lang`` is not
    ``en`` or ``fi``, or when the record is malformed.
    """
    if lang not in ("en", "fi"):
        raise InputError(f"unknown language {lang!r}; choose en or fi")
    try:
        outcomes = record["outcomes"]
        if not isinstance(outcomes, list):
            raise _MalformedError("'outcomes' is not a list")
        cycle = record.get("cycle")
        decisions: list[dict[str, Any]] = list(cycle.get("decisions", [])) if isinstance(cycle, dict) else []
        paragraphs: list[str] = []
        known: list[str] = []
        for outcome in outcomes:
            explainer = _Pot(outcome, lang, decisions)
            prefix = f"{outcome['pot']}: " if len(outcomes) > 1 else ""
            for pid in explainer.order:
                if pid not in known:
                    known.append(pid)
                if project is None or pid == project:
                    paragraphs.append(prefix + explainer.paragraph(pid))
    except (_MalformedError, KeyError, TypeError, ValueError, ZeroDivisionError, AttributeError, IndexError) as exc:
        detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise InputError(f"the record is malformed ({detail}); expected a record from 'asukasbudjetti tally'") from None
    if project is not None and not paragraphs:
        shown = ", ".join(known[:SHOWN_IDS])
        more = f", ... ({len(known)} in all)" if len(known) > SHOWN_IDS else ""
        raise InputError(f"project {project!r} is not in the record; it names: {shown or '(no projects)'}{more}")
    return paragraphs


# --- numbers as text -------------------------------------------------------------------------------------------


def _frac(value: object) -> Fraction:
    """A record's exact number (``"999.8"``, ``"4999/60"``, an integer) as a Fraction."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _MalformedError(f"expected an exact number as text, got {value!r}")
    return Fraction(value)


def _approx(value: Fraction) -> str:
    """Two decimals, rounded half away from zero."""
    cents = (abs(value) * 100 + Fraction(1, 2)).__floor__()
    sign = "-" if value < 0 and cents else ""
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _number(value: Fraction, lang: Lang, *, money: bool = False) -> str:
    """Exact text of ``value``: format_money's, with cents padded to two decimals when
    ``money``, and ``p/q ≈ x.xx`` when it has no finite decimal form."""
    text = format_money(abs(value))
    if "/" in text:
        text = f"{text} ≈ {_approx(abs(value))}"
    elif money and "." in text and len(text.partition(".")[2]) == 1:
        text += "0"
    if value < 0:
        text = "-" + text
    return text.replace(".", ",") if lang == "fi" else text


def _money(value: object, lang: Lang) -> str:
    return _number(_frac(value), lang, money=True)


def _percent(value: Fraction, lang: Lang) -> str:
    text = format_money(value)
    if "/" in text or len(text.partition(".")[2]) > 2:
        text = f"{'noin' if lang == 'fi' else 'about'} {_approx(value)}"
    return f"{text.replace('.', ',')} %" if lang == "fi" else f"{text}%"


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def _join(items: Sequence[str], lang: Lang) -> str:
    if len(items) <= 1:
        return "".join(items)
    word = "ja" if lang == "fi" else "and"
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _settled(criteria: Iterable[str], lang: Lang) -> str:
    if lang == "fi":
        return ", sitten ".join(_SETTLED_FI.get(c, c) for c in criteria)
    return ", then ".join(criteria)


def _sentence(text: str) -> str:
    """``text`` with one final full stop."""
    return text.rstrip().rstrip(".") + "."


# --- one pot -----------------------------------------------------------------------------------------------------


class _Pot:
    """Everything one outcome says about its projects, indexed for the paragraphs."""

    def __init__(self, outcome: dict[str, Any], lang: Lang, decisions: list[dict[str, Any]]) -> None:
        self.o = outcome
        self.lang: Lang = lang
        self.funded: list[str] = [str(p) for p in outcome["funded"]]
        self.params: dict[str, Any] = outcome.get("params") or {}
        self.steps: list[dict[str, Any]] = list(outcome.get("steps") or [])
        self.rounds: list[dict[str, Any]] = list(outcome.get("mes_rounds") or [])
        self.phragmen: list[dict[str, Any]] = list(outcome.get("phragmen_rounds") or [])
        self.ties: list[dict[str, Any]] = list(outcome.get("ties") or [])
        self.decisions = decisions
        self.cost: dict[str, Fraction] = {}
        for step in self.steps:
            self.cost[step["project"]] = _frac(step["cost"])
        for r in [*self.rounds, *self.phragmen]:
            self.cost[r["project_id"]] = _frac(r["cost"])
        reserve = outcome.get("reserve")
        if isinstance(reserve, dict):
            self.cost[reserve["project"]] = _frac(reserve["cost"])
        self.order = self._order()

    # The projects the record names, in the pot's order.
    def _mentioned(self) -> list[str]:
        o = self.o
        ids: list[str] = [s["project"] for s in self.steps]
        ids += [r["project_id"] for r in self.rounds]
        ids += [r["project_id"] for r in self.phragmen]
        ids += self.funded
        for r in self.rounds:
            ids += [c[0] for c in r.get("candidates", [])]
            ids += list(r.get("dropped", []))
        for r in self.phragmen:
            ids += list(r.get("removed", []))
        ids += list(o.get("ineligible") or [])
        comparison = o.get("comparison")
        if isinstance(comparison, dict):
            ids += list(comparison.get("greedy_funded", [])) + list(comparison.get("rule_funded", []))
        for tie in self.ties:
            ids += list(tie.get("projects", []))
        announced = o.get("announced")
        if isinstance(announced, dict):
            for key in ("funded", "outside_money", "missing", "extra"):
                ids += list(announced.get(key, []))
        return [str(i) for i in ids]

    def _order(self) -> list[str]:
        order: list[str] = []
        seen: set[str] = set()
        for pid in self._mentioned():
            if pid not in seen:
                seen.add(pid)
                order.append(pid)
        return order

    # --- shared pieces ---

    def _fi(self) -> bool:
        return self.lang == "fi"

    def head(self, pid: str, *, with_cost: bool = True) -> str:
        word = "Hanke" if self._fi() else "Project"
        cost = self.cost.get(pid)
        if cost is None or not with_cost:
            return f"{word} {pid}"
        label = "kustannus" if self._fi() else "cost"
        return f"{word} {pid} ({label} {_number(cost, self.lang, money=True)})"

    def m(self, value: object) -> str:
        return _money(value, self.lang)

    def paragraph(self, pid: str) -> str:
        forced = [d for d in self.decisions if d.get("kind") == "force-funded" and pid in d.get("projects", [])]
        known_to_trace = any(s["project"] == pid for s in self.steps) or any(
            r["project_id"] == pid for r in [*self.rounds, *self.phragmen]
        )
        if forced and pid in self.funded and not known_to_trace:
            text = self._forced(pid, forced[0])
        elif self.steps:
            text = self._greedy(pid)
        elif (
            self.rounds or self.o.get("endowment") is not None or str(self.o.get("rule", "")).startswith("equalshares")
        ):
            text = self._mes(pid)
        elif self.phragmen or self.o.get("rule") == "phragmen":
            text = self._phragmen(pid)
        elif self.o.get("optimum") is not None:
            text = self._optimum(pid)
        else:
            text = self._plain(pid)
        return " ".join(part for part in [text, *self._afterwords(pid), self._margin(pid)] if part)

    def _margin(self, pid: str) -> str:
        """How far an unfunded project was from funding, when the record has margins."""
        margin = next((m for m in self.o.get("margins", []) if m.get("project") == pid), None)
        if margin is None:
            return ""
        parts: list[str] = []
        extra, cost = margin.get("extra_supporters"), margin.get("max_cost")
        if self._fi():
            if extra is not None:
                parts.append(f"{extra} lisäkannattajaa olisi riittänyt sen rahoitukseen")
            if cost is not None:
                parts.append(f"samoin kustannus enintään {self.m(cost)}")
            return _sentence("; ".join(parts)) if parts else "Mikään tutkittu muutos ei olisi tuonut sille rahoitusta."
        if extra is not None:
            parts.append(f"{extra} more supporter{'s' if extra != 1 else ''} would have funded it")
        if cost is not None:
            parts.append(f"so would a cost of at most {self.m(cost)}")
        return _sentence("; ".join(parts)) if parts else "No change that was searched would have funded it."

    def _forced(self, pid: str, decision: dict[str, Any]) -> str:
        reason = str(decision.get("reason", "")).rstrip(".")
        if self._fi():
            return f"{self.head(pid)} rahoitettiin ennen laskentaa päätöksellä (force-funded): {reason}."
        return f"{self.head(pid)} was funded by a decision before the count (force-funded): {reason}."

    def _plain(self, pid: str) -> str:
        if self._fi():
            return f"{self.head(pid)} {'rahoitettiin' if pid in self.funded else 'jäi rahoittamatta'}."
        return f"{self.head(pid)} was {'funded' if pid in self.funded else 'not funded'}."

    def _afterwords(self, pid: str) -> list[str]:
        """The announced outcome's verdict and the council decisions on the project."""
        fi = self._fi()
        out: list[str] = []
        for decision in self.decisions:
            kind = decision.get("kind")
            if kind == "force-funded" or pid not in decision.get("projects", []):
                continue
            reason = str(decision.get("reason", "")).rstrip(".")
            out.append(
                f"Sitä koskee päätös ({kind}): {reason}." if fi else f"A decision ({kind}) concerns it: {reason}."
            )
        announced = self.o.get("announced")
        if isinstance(announced, dict):
            if pid in announced.get("missing", []):
                out.append(
                    "Julkistetussa tuloksessa se rahoitettiin, mutta tässä laskennassa ei."
                    if fi
                    else "The announced outcome funded it, but this count does not."
                )
            if pid in announced.get("extra", []):
                out.append(
                    "Tässä laskennassa se rahoitetaan, mutta julkistetussa tuloksessa ei."
                    if fi
                    else "This count funds it, but the announced outcome did not."
                )
            if pid in announced.get("outside_money", []):
                out.append(
                    "Julkistetussa tuloksessa se rahoitettiin tiedoston ulkopuolisista varoista."
                    if fi
                    else "The announced outcome paid for it from money outside the file."
                )
        return out

    # --- greedy ---

    def _greedy(self, pid: str) -> str:
        fi, lang = self._fi(), self.lang
        step = next((s for s in self.steps if s["project"] == pid), None)
        if step is None:
            return self._plain(pid)
        rank, score, votes = int(step["rank"]), int(step["score"]), int(step["votes"])
        cost, left = _frac(step["cost"]), _frac(step["money_left"])
        decision = step["decision"]
        rank_text = f"{rank}." if fi else _ordinal(rank)
        if fi:
            support = (
                f"{votes} äänellä"
                if score == votes
                else f"{score} pisteellä ({votes} {'ääni' if votes == 1 else 'ääntä'})"
            )
            by = (
                " (järjestys pisteiden ja kustannuksen suhteen mukaan)"
                if self.params.get("order") == "score-per-cost"
                else ""
            )
        else:
            plural = "vote" if votes == 1 else "votes"
            support = f"{votes} {plural}" if score == votes else f"a score of {score} ({votes} {plural})"
            by = " (ordered by score per unit of cost)" if self.params.get("order") == "score-per-cost" else ""
        if decision == "withdrawn":
            if fi:
                return (
                    f"{self.head(pid, with_cost=False)} sijoittui {rank_text} sijalle {support}{by}, mutta se oli "
                    "vedetty pois, joten se ohitettiin."
                )
            return (
                f"{self.head(pid, with_cost=False)} was ranked {rank_text} with {support}{by} but had been "
                "withdrawn, so it was passed over."
            )
        lead = (
            f"{self.head(pid)} sijoittui {rank_text} sijalle {support}{by}."
            if fi
            else f"{self.head(pid)} was ranked {rank_text} with {support}{by}."
        )
        turn = (
            f"Kun sen vuoro tuli, rahaa oli jäljellä {self.m(left)}"
            if fi
            else f"When its turn came {self.m(left)} was left"
        )
        short = _number(cost - left, lang, money=True)
        if decision == "funded":
            rest = _number(left - cost, lang, money=True)
            body = (
                f"{turn}, joten se rahoitettiin ja jäljelle jäi {rest}."
                if fi
                else f"{turn}, so it was funded, leaving {rest}."
            )
        elif decision == "did-not-fit":
            body = (
                f"{turn}, joten se ei mahtunut: rahaa puuttui {short}."
                if fi
                else f"{turn}, so it did not fit by {short}."
            )
        elif decision == "stopped":
            body = (
                f"{turn}, joten se ei mahtunut: rahaa puuttui {short}."
                if fi
                else f"{turn}, so it did not fit by {short}."
            )
            share = self.params.get("reserve_share")
            if share is not None and cost > 0:
                pct, need = _percent(left / cost * 100, lang), _percent(_frac(share) * 100, lang)
                body += (
                    f" Jäljellä oleva raha kattoi vain {pct} sen kustannuksesta, vähemmän kuin varauksen käyttöön "
                    f"vaadittavat {need}."
                    if fi
                    else f" The money left covered only {pct} of its cost, less than the {need} needed to use the "
                    "reserve."
                )
            body += (
                " Tämä sääntö ei ohita hanketta, joka ei mahdu, joten laskenta pysähtyi tähän."
                if fi
                else " This rule does not skip a project that does not fit, so the count stopped here."
            )
        elif decision == "not-reached":
            body = self._not_reached(rank)
        elif decision == "below-threshold":
            threshold = self.params.get("threshold")
            if threshold is None:
                found = re.search(r"threshold (\S+)$", str(step.get("reason") or ""))
                threshold = found.group(1) if found else "?"
            shown = _number(_frac(threshold), lang) if threshold != "?" else threshold
            body = (
                f"Sen pistemäärä {score} jäi alle kynnyksen {shown}, joten se ohitettiin."
                if fi
                else f"Its score of {score} was below the threshold of {shown}, so it was passed over."
            )
        elif decision == "excluded":
            partner = self._partner(pid, rank, step)
            body = (
                f"Kun sen vuoro tuli, sen kanssa toisensa poissulkeva hanke {partner} oli jo rahoitettu, joten se "
                "ohitettiin."
                if fi
                else f"When its turn came, project {partner}, mutually exclusive with it, had already been funded, "
                "so it was passed over."
            )
        elif decision == "reserve-funded":
            body = self._reserve(pid, cost, left, turn, short)
        else:
            body = _sentence(f"{'Päätös' if fi else 'Decision'}: {decision}")
        return f"{lead} {body}{self._greedy_tie(pid)}"

    def _not_reached(self, rank: int) -> str:
        fi = self._fi()
        stopper = next(
            (s for s in self.steps if int(s["rank"]) < rank and s["decision"] in ("stopped", "reserve-funded")), None
        )
        if stopper is None:
            return (
                "Sen vuoro ei tullut, koska laskenta oli jo pysähtynyt."
                if fi
                else "It was not considered: the count had already stopped."
            )
        stop = stopper["project"]
        if stopper["decision"] == "reserve-funded":
            return (
                f"Sen vuoro ei tullut, koska laskenta oli jo päättynyt hankkeeseen {stop}, joka rahoitettiin "
                "osittain varauksesta."
                if fi
                else f"It was not considered: the count had already ended with project {stop}, funded partly from "
                "the reserve."
            )
        return (
            f"Sen vuoro ei tullut, koska laskenta oli jo pysähtynyt hankkeeseen {stop}, ensimmäiseen, joka ei mahtunut "
            "(tämä sääntö ei ohita hankkeita)."
            if fi
            else f"It was not considered: the count had already stopped at project {stop}, the first that did not fit "
            "(this rule does not skip projects)."
        )

    def _partner(self, pid: str, rank: int, step: dict[str, Any]) -> str:
        """The funded project of ``pid``'s exclusive group, from the groups and the walk."""
        funded_before = {
            s["project"] for s in self.steps if int(s["rank"]) < rank and s["decision"] in ("funded", "reserve-funded")
        }
        for group in self.params.get("exclusive") or []:
            if pid in group:
                partners = [p for p in group if p in funded_before]
                if partners:
                    return str(partners[0])
        found = re.search(r"funded project (\S+)$", str(step.get("reason") or ""))
        if found:
            return found.group(1)
        return "?"

    def _reserve(self, pid: str, cost: Fraction, left: Fraction, turn: str, short: str) -> str:
        fi, lang = self._fi(), self.lang
        reserve = self.o.get("reserve")
        if isinstance(reserve, dict) and reserve.get("project") == pid:
            from_pot, from_reserve = _frac(reserve["from_pot"]), _frac(reserve["from_reserve"])
        else:
            from_pot, from_reserve = left, cost - left
        share = self.params.get("reserve_share")
        pct = _percent(left / cost * 100, lang) if cost > 0 else _percent(Fraction(100), lang)
        need = _percent(_frac(share) * 100, lang) if share is not None else "?"
        pot_text, reserve_text = _number(from_pot, lang, money=True), _number(from_reserve, lang, money=True)
        if fi:
            return (
                f"{turn}, eli {short} vähemmän kuin sen kustannus. Jäljellä oleva raha kattoi {pct} kustannuksesta, "
                f"vähintään säännön vaatimat {need}, joten hanke rahoitettiin silti: {pot_text} budjetista ja "
                f"{reserve_text} varauksesta. Laskenta päättyi tähän."
            )
        return (
            f"{turn}, {short} short of its cost. The money left covered {pct} of the cost, at least the {need} the "
            f"rule requires, so it was funded anyway: {pot_text} from the pot and {reserve_text} from the reserve. "
            "The count ended here."
        )

    def _greedy_tie(self, pid: str) -> str:
        fi = self._fi()
        for tie in self.ties:
            projects = [str(p) for p in tie.get("projects", [])]
            if not tie.get("decisive") or pid not in projects:
                continue
            others = _join([p for p in projects if p != pid], self.lang)
            settled = _settled(tie.get("settled_by", []), self.lang)
            per_cost = self.params.get("order") == "score-per-cost"
            if fi:
                what = "pisteiden ja kustannuksen suhde" if per_cost else "pistemäärä"
                whom = "hankkeella" if len(projects) == 2 else "hankkeilla"
                return f" Sillä oli sama {what} kuin {whom} {others}; tasapelin ratkaisi {settled}."
            what = "score per unit of cost" if per_cost else "score"
            return f" It tied on {what} with {others}; the order was settled by {settled}."
        return ""

    # --- Method of Equal Shares ---

    def _mes(self, pid: str) -> str:
        fi = self._fi()
        comparison = self.o.get("comparison")
        by_mes, clause = self._mes_clause(pid)
        final = pid in self.funded
        head = self.head(pid)
        completion = str(self.params.get("completion", "none"))
        if isinstance(comparison, dict) and comparison.get("chosen") == "greedy":
            greedy_ok = pid in comparison.get("greedy_funded", [])
            if fi:
                verdict = "rahoitettiin" if final else "jäi rahoittamatta"
                alone = clause if by_mes else f"olisi jäänyt rahoittamatta: {clause}"
                text = (
                    f"{head} {verdict}: vertailuvaiheessa ({comparison.get('measure')}) "
                    f"{comparison.get('prefer_greedy')} äänestäjää piti ahneen menetelmän (greedy) tulosta "
                    "parempana ja "
                    f"{comparison.get('prefer_rule')} tasaosuusmenetelmän tulosta, joten käytettiin ahneen menetelmän "
                    f"tulosta, {'jossa tämä hanke rahoitetaan' if greedy_ok else 'jossa tätä hanketta ei rahoiteta'}. "
                    f"Pelkällä tasaosuusmenetelmällä se {alone}"
                )
            else:
                verdict = "was funded" if final else "was not funded"
                alone = clause if by_mes else f"would not have been funded: {clause}"
                text = (
                    f"{head} {verdict}: the comparison step ({comparison.get('measure')}) found "
                    f"{comparison.get('prefer_greedy')} voters preferring the greedy outcome against "
                    f"{comparison.get('prefer_rule')} preferring Equal Shares', so the greedy outcome was adopted, "
                    f"{'which funds it' if greedy_ok else 'which does not fund it'}. "
                    f"Under Equal Shares alone it {alone}"
                )
        elif final and not by_mes and not self.rounds and self.params.get("everything_affordable"):
            text = (
                f"{head} rahoitettiin: kaikki hankkeet mahtuivat yhdessä budjettiin, joten kaikki rahoitettiin."
                if fi
                else f"{head} was funded: all the projects together fit the budget, so every one was funded."
            )
        elif final and not by_mes:
            if fi:
                text = (
                    f"{head} rahoitettiin täydennyksessä ({completion}), joka tasaosuusmenetelmän kierrosten jälkeen "
                    "rahoittaa jäljellä olevia hankkeita äänimäärän mukaisessa järjestyksessä niin pitkälle kuin rahaa "
                    f"riittää. Tasaosuusmenetelmä itse ei rahoittanut sitä: {clause}"
                )
            else:
                text = (
                    f"{head} was funded by the {completion} completion, which after the Equal Shares rounds funds the "
                    f"projects left in order of votes while the money left allows. Equal Shares itself did not fund "
                    f"it: {clause}"
                )
        elif by_mes:
            text = f"{head} {clause}"
        else:
            text = f"{head} {'jäi rahoittamatta' if fi else 'was not funded'}: {clause}"
        return " ".join([text, *self._completion()])

    def _mes_clause(self, pid: str) -> tuple[bool, str]:
        """Whether an Equal Shares round funded ``pid``; then what happened, as a clause
        following "Project X" when it did (``was funded in round 2 ...``), else why not
        (``its supporters could no longer afford it ...``)."""
        fi, lang = self._fi(), self.lang
        rounds = self.rounds
        won = next((r for r in rounds if r["project_id"] == pid), None)
        if won is not None:
            evc = _number(_frac(won["effective_vote_count"]), lang)
            n = int(won["round"])
            clause = (
                f"rahoitettiin kierroksella {n} tehollisella äänimäärällä {evc}; {self._payments(won)}."
                if fi
                else f"was funded in round {n} with an effective vote count of {evc}; {self._payments(won)}."
            )
            tie = self._mes_tie(pid, n)
            if tie is not None:
                others, settled = tie
                clause += (
                    f" Sen tehollinen äänimäärä oli sama kuin hankkeella {others}, ja se voitti tasapelin ({settled})."
                    if fi
                    else f" It tied with {others} on the effective vote count and won the tie-break ({settled})."
                )
            return True, clause
        if pid in (self.o.get("ineligible") or []):
            k = self.params.get("eligibility_k")
            return False, (
                f"kelpoisuussuodatin (eligibility_k = {k}) jätti sen pois, koska sen osuus äänestäjistä oli pienempi "
                f"kuin sen osuus budjetista jaettuna luvulla {k}."
                if fi
                else f"the eligibility filter (eligibility_k = {k}) left it out, as its share of the voters was "
                f"smaller than its share of the budget divided by {k}."
            )
        dropped_in = next((int(r["round"]) for r in rounds if pid in r.get("dropped", [])), None)
        priced = [(int(r["round"]), r, _frac(c[1])) for r in rounds for c in r.get("candidates", []) if c[0] == pid]
        if dropped_in is not None:
            clause = (
                f"kierroksella {dropped_in} sen kannattajilla ei ollut enää varaa siihen "
                "(heillä oli yhteensä vähemmän rahaa jäljellä kuin sen kustannus)."
                if fi
                else f"its supporters could no longer afford it in round {dropped_in} "
                "(together they had less money left than its cost)."
            )
            earlier = [p for p in priced if p[0] < dropped_in]
            if earlier:
                n, r, count = earlier[-1]
                mine, theirs = _number(count, lang), _number(_frac(r["effective_vote_count"]), lang)
                clause += (
                    f" Kierroksella {n} sen tehollinen äänimäärä oli {mine}, kun voittajan {r['project_id']} oli "
                    f"{theirs}."
                    if fi
                    else f" In round {n} its effective vote count was {mine} against the winner "
                    f"{r['project_id']}'s {theirs}."
                )
            return False, clause
        if priced:
            n, r, count = priced[-1]
            winner, best = r["project_id"], _frac(r["effective_vote_count"])
            mine, theirs = _number(count, lang), _number(best, lang)
            last = int(rounds[-1]["round"])
            if count == best:
                settled = self._tie_settled(n, pid, winner)
                clause = (
                    f"siihen olisi vielä ollut varaa, mutta se ei voittanut yhtään kierrosta; kierroksella {n} se oli "
                    f"tasoissa voittajan {winner} kanssa ({mine}) ja hävisi tasapelin ({settled})."
                    if fi
                    else f"it was still affordable but never won a round; in round {n} it tied with the winner "
                    f"{winner} at {mine} and lost the tie-break ({settled})."
                )
            else:
                clause = (
                    "siihen olisi vielä ollut varaa, mutta sen tehollinen äänimäärä ei ollut koskaan suurin; "
                    f"viimeisellä kierroksella, jolla se hinnoiteltiin (kierros {n}), sen äänimäärä oli {mine}, kun "
                    f"voittajan {winner} oli {theirs}."
                    if fi
                    else "it was still affordable but never had the best effective vote count; in the last round it "
                    f"was priced (round {n}) its count was {mine} against the winner {winner}'s {theirs}."
                )
            clause += (
                f" Kierroksen {last} jälkeen sen kannattajilla ei ollut enää varaa siihen, ja laskenta päättyi."
                if fi
                else f" After round {last} its supporters could no longer afford it, and the rule stopped."
            )
            return False, clause
        return False, (
            "mikään tasaosuusmenetelmän kirjattu kierros ei hinnoitellut sitä (se oli vedetty pois, maksuton tai "
            "vailla kannattajia, tai sen kannattajilla ei ollut siihen varaa alusta alkaen)."
            if fi
            else "no recorded round of Equal Shares priced it (it was withdrawn, free or unsupported, or its "
            "supporters could not afford it from the start)."
        )

    def _payments(self, won: dict[str, Any]) -> str:
        fi, lang = self._fi(), self.lang
        q = _frac(won["q"])
        alike = self.params.get("utilities") in ("cost", "cardinality")
        groups = [(int(p["voters"]), _frac(p["amount"])) for p in won.get("payments", [])]
        if len(groups) == 1:
            count, amount = groups[0]
            shown = _number(amount, lang, money=True)
            if count == 1:
                return f"sen ainoa kannattaja maksoi {shown}" if fi else f"its only supporter paid {shown}"
            return (
                f"sen {count} kannattajaa maksoi kukin {shown}" if fi else f"its {count} supporters paid {shown} each"
            )
        parts: list[str] = []
        for count, amount in groups:
            shown = _number(amount, lang, money=True)
            everything = alike and amount < q
            if fi:
                part = f"{count} maksoi {'kukin ' if count > 1 else ''}{shown}"
                if everything:
                    part += f" (kaiken, mitä {'heillä' if count > 1 else 'hänellä'} oli jäljellä)"
            else:
                part = f"{count} {'voters' if count > 1 else 'voter'} {shown}{' each' if count > 1 else ''}"
                if everything:
                    part += " (all they had left)"
            parts.append(part)
        return f"sen kannattajista {_join(parts, lang)}" if fi else f"its supporters paid: {_join(parts, lang)}"

    def _mes_tie(self, pid: str, n: int) -> tuple[str, str] | None:
        for tie in self.ties:
            projects = [str(p) for p in tie.get("projects", [])]
            if int(tie.get("step", -1)) == n and pid in projects and len(projects) > 1:
                others = _join([p for p in projects if p != pid], self.lang)
                return others, _settled(tie.get("settled_by", []), self.lang)
        return None

    def _tie_settled(self, n: int, pid: str, winner: str) -> str:
        for tie in self.ties:
            projects = [str(p) for p in tie.get("projects", [])]
            if int(tie.get("step", -1)) == n and pid in projects and winner in projects:
                return _settled(tie.get("settled_by", []), self.lang)
        return "?"

    def _completion(self) -> list[str]:
        steps = self.o.get("completion") or []
        endowment = self.o.get("endowment")
        if not steps or endowment is None:
            return []
        fi, lang = self._fi(), self.lang
        name = str(self.params.get("completion", "add1"))
        first, adopted = _frac(steps[0]["endowment"]), _frac(endowment)
        a, b = _number(first, lang, money=True), _number(adopted, lang, money=True)
        if adopted != first:
            return [
                f"Täydennys ({name}) korotti kunkin äänestäjän alkuosuuden arvosta {a} arvoon {b}."
                if fi
                else f"The {name} completion raised each voter's endowment from {a} to {b}."
            ]
        return [
            f"Täydennys ({name}) piti kunkin äänestäjän alkuosuuden arvossa {a}."
            if fi
            else f"The {name} completion kept each voter's endowment at {a}."
        ]

    # --- sequential Phragmén ---

    def _phragmen(self, pid: str) -> str:
        fi = self._fi()
        won = next((r for r in self.phragmen if r["project_id"] == pid), None)
        if won is not None:
            n, supporters = int(won["round"]), int(won["supporters"])
            load, left = self.m(won["load"]), self.m(won["money_left"])
            if fi:
                whose = "sen ainoan kannattajan" if supporters == 1 else f"sen {supporters} kannattajan"
                text = (
                    f"{self.head(pid)} rahoitettiin kierroksella {n}: {whose} kuormaksi (rahamäärä, jonka "
                    f"kannattajan katsotaan käyttäneen) tuli {load}, pienin uusi kuorma jäljellä olevista hankkeista. "
                    f"Sen jälkeen rahaa oli jäljellä {left}."
                )
            else:
                whose = (
                    "its only supporter's load"
                    if supporters == 1
                    else f"the load of each of its {supporters} supporters"
                )
                text = (
                    f"{self.head(pid)} was funded in round {n}: {whose} (the money a supporter is counted as having "
                    f"spent) became {load}, the lowest new load any remaining project gave. After it {left} was left."
                )
            tie = self._mes_tie(pid, n)
            if tie is not None:
                others, settled = tie
                text += (
                    f" Sama kuorma olisi tullut hankkeella {others}; se voitti tasapelin ({settled})."
                    if fi
                    else f" It tied with {others} on the new load and won the tie-break ({settled})."
                )
            return text
        removed_in = next((int(r["round"]) for r in self.phragmen if pid in r.get("removed", [])), None)
        not_funded = "jäi rahoittamatta" if fi else "was not funded"
        if removed_in == 1:
            budget = self.m(self.o["budget"])
            return (
                f"{self.head(pid)} {not_funded}: se oli vedetty pois tai maksaa enemmän kuin koko budjetti ({budget}), "
                "joten se poistettiin ennen ensimmäistä kierrosta."
                if fi
                else f"{self.head(pid)} {not_funded}: it was withdrawn or costs more than the whole budget ({budget}), "
                "so it was removed before round 1."
            )
        if removed_in is not None:
            before = next(r for r in self.phragmen if int(r["round"]) == removed_in - 1)
            money = self.m(before["money_left"])
            return (
                f"{self.head(pid)} {not_funded}: ennen kierrosta {removed_in} rahaa oli jäljellä enää {money}, "
                "joten se ei enää mahtunut ja poistettiin."
                if fi
                else f"{self.head(pid)} {not_funded}: before round {removed_in} only {money} was left, so it no longer "
                "fit and was removed."
            )
        left = self.m(self.o["left"])
        return (
            f"{self.head(pid)} {not_funded}: se ei voittanut yhtään kierrosta (sillä ei ollut kannattajia, tai se ei "
            f"enää mahtunut viimeisen kierroksen jälkeen jäljellä olleeseen rahaan, {left})."
            if fi
            else f"{self.head(pid)} {not_funded}: it won no round (it had no supporters, or it no longer fit in the "
            f"{left} left after the last round)."
        )

    # --- utilitarian optimum ---

    def _optimum(self, pid: str) -> str:
        fi, lang = self._fi(), self.lang
        optimum = self.o["optimum"]
        value = _number(_frac(optimum["value"]), lang)
        objective = optimum.get("objective", "")
        if pid in self.funded:
            text = (
                f"{self.head(pid)} rahoitettiin osana optimaalista joukkoa: mikään budjettiin mahtuva hankejoukko ei "
                f"tuota suurempaa kokonaishyötyä ({objective}) kuin rahoitettu joukko ({value})."
                if fi
                else f"{self.head(pid)} was funded as part of the optimal set: no set of projects within the budget "
                f"has a higher total welfare ({objective}) than the funded set's {value}."
            )
        else:
            text = (
                f"{self.head(pid)} ei kuulunut optimaaliseen joukkoon (kokonaishyöty {value}), joten se jäi "
                "rahoittamatta."
                if fi
                else f"{self.head(pid)} was not in the optimal set (total welfare {value}), so it was not funded."
            )
        for tie in self.ties:
            if pid in tie.get("projects", []):
                settled = _settled(tie.get("settled_by", []), lang)
                text += (
                    f" Yhtä suuren kokonaishyödyn tuottaa myös toinen joukko; valinnan ratkaisi {settled}."
                    if fi
                    else f" Another set has the same total welfare; the choice was settled by {settled}."
                )
                break
        return text
