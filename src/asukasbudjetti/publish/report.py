"""Reports of a result record for the public: one self-contained HTML page, or a Markdown summary.

Everything shown comes from the record alone; nothing is tallied again. The HTML
page is a single file a city can put on its site as it is: inline CSS, charts as
inline SVG, no script, no font, image or style sheet fetched from anywhere, and a
layout that reads on a phone. Per pot it shows the projects by support with the
funded ones marked, the budget spent and left, the Equal Shares rounds when the
rule has them, why each project was or was not funded, and at the end everything
needed to check the result: the inputs' names and SHA-256, the rule and every
parameter, the seed, the version and the command ``asukasbudjetti verify RECORD``.

The charts are drawn with matplotlib (imported only here, and only when a chart is
drawn) to SVG with fixed ids and no date, so two reports of one record are
byte-identical.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import shlex
import warnings
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from asukasbudjetti.audit.explain import explain
from asukasbudjetti.errors import InputError
from asukasbudjetti.io.record import read_record_file
from asukasbudjetti.model.outcome import RuleParameters
from asukasbudjetti.model.record import (
    CycleInvocation,
    CycleRecord,
    PabulibInvocation,
    PotOutcome,
    Record,
    RecordWarning,
)
from asukasbudjetti.money import money_text

#: The report formats: ``html`` (a page with charts) and ``md`` (a Markdown summary).
FORMATS = ("html", "md")

#: Chart colours: funded projects and money spent, the rest, and text.
FUNDED_COLOUR = "#1b7f3b"
OTHER_COLOUR = "#b4bcc4"
LEFT_COLOUR = "#dfe4e8"
TEXT_COLOUR = "#1d232a"

#: The longest chart label, in characters (the tables show the full name).
CHART_LABEL = 34


class _Project(BaseModel):
    """One project as the report shows it, gathered from whichever trace the rule left."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    id: str
    name: str | None = None
    cost: Fraction | None = None
    support: Fraction | None = None
    funded: bool = False

    def label(self) -> str:
        return self.id if not self.name else f"{self.id} {self.name}"


def render_report(path: str | Path, fmt: str = "html") -> str:
    """The report of the record at ``path``: ``fmt`` is ``html`` (a page) or ``md`` (Markdown).

    Raises :class:`~asukasbudjetti.errors.InputError` when ``fmt`` is unknown or the
    file cannot be read as a result record (see :func:`asukasbudjetti.io.record.read_record_file`).
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown report format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    raw, record = read_record_file(path)
    name = Path(path).name
    sha256 = hashlib.sha256(raw).hexdigest()
    if fmt == "md":
        return render_markdown(record, record_name=name, record_sha256=sha256)
    return render_html(record, record_name=name, record_sha256=sha256)


# ----------------------------------------------------------------------------- shared facts


_DECISIONS = {
    "funded": "funded",
    "reserve-funded": "funded (partly from the reserve)",
    "did-not-fit": "did not fit in the money left",
    "stopped": "did not fit: the rule stops here",
    "not-reached": "not reached",
    "below-threshold": "below the threshold",
    "withdrawn": "withdrawn",
    "excluded": "excluded",
}


def _projects(outcome: PotOutcome) -> tuple[list[_Project], str | None]:
    """The pot's projects, best supported first, and what their support counts (None: unknown)."""
    funded = set(outcome.funded)
    rows: dict[str, _Project] = {}
    label: str | None = None
    if outcome.steps:
        label = "votes" if all(step.score == step.votes for step in outcome.steps) else "score"
        for step in outcome.steps:
            rows[step.project_id] = _Project(id=step.project_id, cost=step.cost, support=Fraction(step.score))
    elif outcome.mes_rounds:
        label = "effective votes in round 1"
        for project, count in outcome.mes_rounds[0].candidates:
            rows[project] = _Project(id=project, support=count)
        for mes in outcome.mes_rounds:
            rows.setdefault(mes.project_id, _Project(id=mes.project_id))
            rows[mes.project_id] = rows[mes.project_id].model_copy(update={"cost": mes.cost})
    elif outcome.phragmen_rounds:
        label = "supporters"
        for phragmen in outcome.phragmen_rounds:
            rows[phragmen.project_id] = _Project(
                id=phragmen.project_id, cost=phragmen.cost, support=Fraction(phragmen.supporters)
            )
    for project in outcome.funded:
        rows.setdefault(project, _Project(id=project))
    # Project names are not shown yet: the record's names (``outcome.names``, {id: name})
    # would go into each row here, as ``name=outcome.names.get(row.id)``.
    listed = [row.model_copy(update={"funded": row.id in funded}) for row in rows.values()]
    if label is not None:
        listed.sort(key=lambda row: -(row.support if row.support is not None else Fraction(-1)))
    return listed, label


def _percent(part: Fraction, whole: Fraction) -> str:
    if whole <= 0:
        return "-"
    share = part / whole * 100
    try:
        return f"{float(share):.1f}%"
    except OverflowError:
        # Beyond a float (only a damaged record gets here): round the exact value instead.
        tenths = round(share * 10)
        return f"{'-' if tenths < 0 else ''}{abs(tenths) // 10}.{abs(tenths) % 10}%"


def _drawable(values: list[Fraction]) -> list[float] | None:
    """The values as floats for a chart, or None when one is too large for a float to hold."""
    try:
        return [float(value) for value in values]
    except OverflowError:
        return None


#: Said in place of a chart whose amounts no float can hold (the tables show them exactly).
NOT_DRAWN = '<p class="note">The chart is not drawn: its amounts are too large to plot.</p>'


def _approximate(value: Fraction) -> str:
    """An exact value for the eye: two decimals, marked with ~ when rounded."""
    rounded = round(value, 2)
    whole, cents = divmod(int(abs(rounded) * 100), 100)
    shown = f"{'-' if rounded < 0 else ''}{whole}.{cents:02d}"
    return shown if rounded == value else f"~{shown}"


def _seeds(record: Record) -> list[str]:
    seeds = []
    if isinstance(record.invocation, PabulibInvocation):
        seeds.append(json.dumps(record.invocation.seed))
    for outcome in record.outcomes:
        seeds.append(json.dumps(outcome.params.seed))
    return sorted(set(seeds), key=seeds.index)


def _settings(settings: PabulibInvocation | CycleInvocation | RuleParameters) -> list[tuple[str, str]]:
    """Each field of the record's invocation or of a rule's parameters, by name, as JSON text."""
    return [(key, _value(getattr(settings, key))) for key in sorted(type(settings).model_fields)]


def _title(record: Record) -> str:
    if record.cycle is not None:
        return record.cycle.name
    pots = ", ".join(outcome.pot for outcome in record.outcomes)
    return f"Residents' budget results: {pots}"


def _explanations(record: Record, pot: PotOutcome) -> list[str] | None:
    """The paragraphs ``explain`` writes for ``pot``, or None when it cannot read the record
    (the step table stands in for them)."""
    # The record cut down to this pot (the cycle's decisions kept): paragraphs without the pot's name.
    one_pot = record.model_copy(update={"outcomes": (pot,)})
    try:
        return explain(one_pot, lang="en")
    except InputError:
        return None


def _json_default(value: object) -> str:
    """Exact money in a setting as the record writes it (JSON has no Fraction)."""
    if isinstance(value, Fraction):
        return money_text(value)
    raise TypeError(f"{type(value).__name__} is not a setting's value")


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_json_default)


def _m(amount: Fraction) -> str:
    """An amount of money as the record writes it: exact text (``1000.5``, ``1000/3``)."""
    return money_text(amount)


# ----------------------------------------------------------------------------- charts


def _svg(figure: Any, prefix: str, label: str) -> str:
    """The figure as an SVG element to put inside HTML: deterministic, no URL, ids unique per chart."""
    buffer = io.StringIO()
    with warnings.catch_warnings():
        # A name in a script the font lacks is drawn as a box; the tables show it in full.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
        # Hundreds of long labels squeeze the axes to nothing: the chart is cramped, the tables are whole.
        warnings.filterwarnings("ignore", message="constrained_layout not applied", category=UserWarning)
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buffer.getvalue()
    svg = text[text.index("<svg") :]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.DOTALL)
    head_end = svg.index(">")
    head = re.sub(r'\s(?:xmlns(?::\w+)?|width|height|version)="[^"]*"', "", svg[4:head_end])
    svg = f'<svg{head} role="img" aria-label="{html.escape(label)}"' + svg[head_end:]
    svg = svg.replace("xlink:href=", "href=")
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    svg = re.sub(r"<defs>\s*</defs>", "", svg)
    return re.sub(r"\n\s*", "\n", svg).strip()


def _charts_context() -> Any:
    """matplotlib set up for reproducible SVG: Agg backend, fixed id salt, text as paths."""
    import matplotlib

    matplotlib.use("Agg")
    return matplotlib.rc_context(
        {
            "svg.hashsalt": "asukasbudjetti",
            "svg.fonttype": "path",
            "font.family": "DejaVu Sans",
            "font.size": 10,
            "text.color": TEXT_COLOUR,
            "axes.edgecolor": "#8a949e",
            "axes.labelcolor": TEXT_COLOUR,
            "xtick.color": TEXT_COLOUR,
            "ytick.color": TEXT_COLOUR,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "path.simplify": False,
        }
    )


def _chart_text(text: str) -> str:
    """A label as matplotlib shows it literally: shortened, and ``$`` not taken as mathematics."""
    if len(text) > CHART_LABEL:
        text = text[: CHART_LABEL - 1].rstrip() + "…"
    return text.replace("\\", "\\\\").replace("$", r"\$")


def _support_chart(projects: list[_Project], label: str, prefix: str, pot: str) -> str:
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    shown = [project for project in projects if project.support is not None]
    values = _drawable([project.support or Fraction(0) for project in shown])
    if values is None:
        return NOT_DRAWN
    with _charts_context():
        figure = Figure(figsize=(4.6, 0.9 + 0.3 * len(shown)), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(shown)))
        colours = [FUNDED_COLOUR if project.funded else OTHER_COLOUR for project in shown]
        bars = axes.barh(positions, values, color=colours, height=0.7)
        axes.set_yticks(positions, [_chart_text(project.label()) for project in shown])
        axes.invert_yaxis()
        axes.bar_label(bars, labels=[_support_text(project.support) for project in shown], padding=3, fontsize=9)
        axes.set_xlim(0, (max(values) if values and max(values) > 0 else 1) * 1.18)
        axes.xaxis.set_visible(False)
        axes.spines["bottom"].set_visible(False)
        axes.tick_params(axis="y", length=0)
        axes.legend(
            handles=[Patch(color=FUNDED_COLOUR, label="funded"), Patch(color=OTHER_COLOUR, label="not funded")],
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            ncols=2,
            frameon=False,
        )
        return _svg(figure, prefix, f"{pot}: projects by {label}, funded ones in green")


def _support_text(value: Fraction | None) -> str:
    if value is None:
        return ""
    if value.denominator == 1:
        return str(value.numerator)
    try:
        return f"{float(value):.2f}"
    except OverflowError:
        return _approximate(value)


def _budget_chart(outcome: PotOutcome, prefix: str) -> str:
    from matplotlib.figure import Figure

    drawable = _drawable([outcome.spent, outcome.left])
    if drawable is None:
        return NOT_DRAWN
    spent, left = drawable
    with _charts_context():
        figure = Figure(figsize=(4.6, 0.95), layout="constrained")
        axes = figure.add_subplot()
        axes.barh(
            [0], [spent], color=FUNDED_COLOUR, height=0.6, label=f"spent {_percent(outcome.spent, outcome.budget)}"
        )
        axes.barh(
            [0],
            [left],
            left=[spent],
            color=LEFT_COLOUR,
            height=0.6,
            label=f"left {_percent(outcome.left, outcome.budget)}",
        )
        axes.set_xlim(0, max(spent + left, 1e-9))
        axes.set_axis_off()
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=2, frameon=False)
        return _svg(
            figure,
            prefix,
            f"{outcome.pot}: budget {_m(outcome.budget)}, spent {_m(outcome.spent)}, left {_m(outcome.left)}",
        )


# ----------------------------------------------------------------------------- HTML

_CSS = """
:root{color-scheme:light;--ok:#1b7f3b;--muted:#55606b;--line:#d9dee3;--soft:#f2f4f6}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:#1d232a;background:#fff}
header,main,footer{max-width:52rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem}
h1{font-size:1.55rem;line-height:1.25;margin:.6rem 0}
h2{font-size:1.3rem;line-height:1.3;margin:2.2rem 0 .6rem;padding-bottom:.25rem;border-bottom:2px solid var(--line)}
h3{font-size:1.05rem;margin:1.5rem 0 .4rem}
p{margin:.5rem 0}
.lead,.note,figcaption{color:var(--muted)}
.note,figcaption{font-size:.9rem}
a{color:#0b5cad}
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(8.5rem,1fr));gap:.5rem;margin:.8rem 0;padding:0;
list-style:none}
.facts li{background:var(--soft);border-radius:.4rem;padding:.45rem .7rem;font-size:.9rem;color:var(--muted)}
.facts b{display:block;font-size:1.1rem;color:#1d232a;overflow-wrap:anywhere}
figure{margin:1rem 0}
figure svg{display:block;width:100%;height:auto;max-width:40rem}
figure svg *{stroke-linejoin:round;stroke-linecap:butt}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.5rem 0}
table{border-collapse:collapse;width:100%;font-size:.9rem}
caption{text-align:left;color:var(--muted);font-size:.9rem;padding:.2rem 0}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--soft);font-weight:600}
td.text{min-width:9rem}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.yes{color:var(--ok);font-weight:600}
ol.funded li,ul.plain li{margin:.2rem 0}
ul.explain{padding-left:1.1rem}
ul.explain li{margin:.5rem 0}
code,.hash{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.85rem;
overflow-wrap:anywhere;word-break:break-all}
pre{background:var(--soft);padding:.6rem .8rem;border-radius:.4rem;white-space:pre-wrap;overflow-wrap:anywhere}
details{margin:.6rem 0}
summary{cursor:pointer;font-weight:600}
.warning{border-left:4px solid #b26a00;background:#fff6e5;padding:.5rem .8rem;margin:.8rem 0}
footer{margin-top:2.5rem;padding-bottom:2rem;color:var(--muted);font-size:.85rem}
@media (max-width:30rem){body{font-size:15px}h1{font-size:1.35rem}th,td{padding:.3rem .35rem}}
@media print{figure,table,section{break-inside:avoid}a{color:inherit}}
""".strip()


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table(head: list[str], rows: Iterable[list[str]], numeric: Iterable[int] = (), text: Iterable[int] = ()) -> str:
    """An HTML table; cells are already escaped HTML. ``numeric`` columns are right-aligned,
    ``text`` columns (sentences) kept wide enough to read on a phone."""
    classes = dict.fromkeys(numeric, " class=num") | dict.fromkeys(text, " class=text")
    parts = ['<div class="scroll"><table>']
    if any(head):
        parts.append("<thead><tr>")
        parts += [f'<th scope="col"{classes.get(k, "")}>{cell}</th>' for k, cell in enumerate(head)]
        parts.append("</tr></thead>")
    parts.append("<tbody>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td{classes.get(k, '')}>{cell}</td>" for k, cell in enumerate(row)) + "</tr>")
    parts.append("</tbody></table></div>")
    return "".join(parts)


def _project_html(project_id: str, names: Mapping[str, str]) -> str:
    name = names.get(project_id)
    return f"<b>{_e(project_id)}</b>" + (f" {_e(name)}" if name else "")


def render_html(record: Record, *, record_name: str = "RECORD.json", record_sha256: str | None = None) -> str:
    """The record as one self-contained HTML page (inline CSS and SVG, no script, no URL).

    ``record_name`` is the record's file name, used in the verify command;
    ``record_sha256``, when given, is shown so that the page names the exact record.
    """
    title = _title(record)
    body: list[str] = [
        "<header>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="lead">Result of the vote, pot by pot: which projects are funded, how much money they use '
        f"and why. Computed by {_e(record.generator.name)} {_e(record.generator.version)}; every number on this "
        f"page comes from the result record <code>{_e(record_name)}</code>, which anyone can check "
        f'(<a href="#verification">how</a>).</p>',
        "</header>",
        "<main>",
    ]
    if len(record.outcomes) > 1:
        body.append(_overview_html(record))
    for index, outcome in enumerate(record.outcomes, start=1):
        body.append(_pot_html(record, outcome, index))
    if record.cycle is not None:
        body.append(_cycle_html(record.cycle))
    if record.warnings:
        body.append(_warnings_html(record.warnings))
    body.append(_verification_html(record, record_name, record_sha256))
    body.append("</main>")
    body.append(
        f"<footer>Made with {_e(record.generator.name)} from the result record <code>{_e(record_name)}</code>. "
        "This page needs no network connection and runs no script.</footer>"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _overview_html(record: Record) -> str:
    rows = [
        [
            f'<a href="#pot-{index}">{_e(outcome.pot)}</a>',
            _e(_m(outcome.budget)),
            _e(_m(outcome.spent)),
            _e(_m(outcome.left)),
            str(len(outcome.funded)),
        ]
        for index, outcome in enumerate(record.outcomes, start=1)
    ]
    return "<h2>All pots</h2>" + _table(["pot", "budget", "spent", "left", "funded"], rows, numeric=(1, 2, 3, 4))


def _pot_html(record: Record, outcome: PotOutcome, index: int) -> str:
    projects, label = _projects(outcome)
    names = {project.id: project.name for project in projects if project.name}
    costs = {project.id: project.cost for project in projects}
    parts = [
        f'<section id="pot-{index}">',
        f"<h2>{_e(outcome.pot)}</h2>",
        '<ul class="facts">',
        f"<li>rule<b>{_e(outcome.rule)}</b></li>",
        f"<li>budget<b>{_e(_m(outcome.budget))}</b></li>",
        f"<li>spent<b>{_e(_m(outcome.spent))}</b></li>",
        f"<li>left<b>{_e(_m(outcome.left))}</b></li>",
        f"<li>funded<b>{len(outcome.funded)} project{'s' if len(outcome.funded) != 1 else ''}</b></li>",
        "</ul>",
        f"<figure>{_budget_chart(outcome, f'b{index}')}<figcaption>Budget {_e(_m(outcome.budget))}: "
        f"spent {_e(_m(outcome.spent))} ({_percent(outcome.spent, outcome.budget)}), "
        f"left {_e(_m(outcome.left))} ({_percent(outcome.left, outcome.budget)}).</figcaption></figure>",
    ]
    if outcome.reserve is not None:
        reserve = outcome.reserve
        parts.append(
            f"<p>Project {_project_html(reserve.project_id, names)} costs {_e(_m(reserve.cost))}: "
            f"{_e(_m(reserve.from_pot))} from this pot and {_e(_m(reserve.from_reserve))} from the reserve.</p>"
        )
    parts.append("<h3>Funded projects</h3>")
    if outcome.funded:
        parts.append('<ol class="funded">')
        for project in outcome.funded:
            cost = costs.get(project)
            parts.append(
                f"<li>{_project_html(project, names)}{f' (cost {_e(_m(cost))})' if cost is not None else ''}</li>"
            )
        parts.append("</ol>")
    else:
        parts.append("<p>No project is funded.</p>")
    if label is not None and any(project.support is not None for project in projects):
        parts.append(
            f"<figure>{_support_chart(projects, label, f's{index}', outcome.pot)}"
            f"<figcaption>Projects by {_e(label)}; funded ones in green.</figcaption></figure>"
        )
    else:
        parts.append('<p class="note">The record of this rule holds no support per project to chart.</p>')
    parts.append(_announced_html(outcome, names))
    parts.append(_ties_html(outcome, names))
    parts.append(_trace_html(outcome, names))
    parts.append(_reasons_html(record, outcome, names))
    parts.append("</section>")
    return "\n".join(part for part in parts if part)


def _announced_html(outcome: PotOutcome, names: Mapping[str, str]) -> str:
    announced = outcome.announced
    if announced is None:
        return ""
    if announced.matches:
        text = "<p>This is the outcome the input file announces.</p>"
    else:
        text = '<p class="warning">This differs from the outcome the input file announces.</p>'
        if announced.missing:
            text += "<p>Announced but not funded here: " + ", ".join(_project_html(p, names) for p in announced.missing)
            text += ".</p>"
        if announced.extra:
            text += "<p>Funded here but not announced: " + ", ".join(_project_html(p, names) for p in announced.extra)
            text += ".</p>"
    if announced.outside_money:
        text += (
            "<p>Paid from money outside the file (not reproducible from the ballots): "
            + ", ".join(_project_html(p, names) for p in announced.outside_money)
            + ".</p>"
        )
    return text


def _ties_html(outcome: PotOutcome, names: Mapping[str, str]) -> str:
    if not outcome.ties:
        return "<h3>Ties</h3><p>No ties on the rule's ordering criterion.</p>"
    rows = [
        [
            str(tie.step),
            ", ".join(_project_html(p, names) for p in tie.projects),
            _e(", then ".join(tie.settled_by)),
            '<span class="yes">yes</span>' if tie.decisive else "no",
        ]
        for tie in outcome.ties
    ]
    decisive = sum(tie.decisive for tie in outcome.ties)
    return (
        "<h3>Ties</h3>"
        f"<p>{len(outcome.ties)} tie{'s' if len(outcome.ties) != 1 else ''}, {decisive} of them decisive "
        "(another order could have changed which projects are funded).</p>"
        + _table(["step", "projects, in the order chosen", "settled by", "decisive"], rows, numeric=(0,), text=(2,))
    )


def _trace_html(outcome: PotOutcome, names: Mapping[str, str]) -> str:
    parts: list[str] = []
    if outcome.mes_rounds:
        parts.append("<h3>Equal Shares rounds</h3>")
        if outcome.endowment is not None:
            parts.append(
                f"<p>Every voter starts with an equal share of the budget: {_e(_approximate(outcome.endowment))} "
                f"(exactly <code>{_e(_m(outcome.endowment))}</code>). Each round funds the project whose supporters "
                "can pay for it with the lowest cap per voter.</p>"
            )
        rows = [
            [
                str(mes.round),
                _project_html(mes.project_id, names),
                _e(_m(mes.cost)),
                f'<span title="{_e(_m(mes.q))}">{_e(_approximate(mes.q))}</span>',
                f'<span title="{_e(_m(mes.effective_vote_count))}">{_e(_approximate(mes.effective_vote_count))}</span>',
                str(sum(payment.voters for payment in mes.payments)),
            ]
            for mes in outcome.mes_rounds
        ]
        parts.append(
            _table(
                ["round", "project", "cost", "cap per voter", "effective votes", "paying voters"],
                rows,
                numeric=(0, 2, 3, 4, 5),
            )
        )
        if outcome.completion:
            rows = [
                [
                    _e(_approximate(step.endowment)),
                    _e(", ".join(step.funded) or "-"),
                    _e(_m(step.spent)),
                    '<span class="yes">adopted</span>' if step.accepted else "no",
                    _e(step.reason),
                ]
                for step in outcome.completion
            ]
            parts.append(
                "<details><summary>Completion: "
                f"{len(outcome.completion)} endowment{'s' if len(outcome.completion) != 1 else ''} recorded</summary>"
                + _table(["endowment", "funded", "spent", "adopted", "why"], rows, numeric=(0, 2), text=(4,))
                + "</details>"
            )
    if outcome.phragmen_rounds:
        rows = [
            [
                str(p.round),
                _project_html(p.project_id, names),
                _e(_m(p.cost)),
                str(p.supporters),
                f'<span title="{_e(_m(p.load))}">{_e(_approximate(p.load))}</span>',
                _e(_m(p.money_left)),
            ]
            for p in outcome.phragmen_rounds
        ]
        parts.append(
            "<h3>Phragmén rounds</h3>"
            + _table(["round", "project", "cost", "supporters", "load", "money left"], rows, numeric=(0, 2, 3, 4, 5))
        )
    if outcome.optimum is not None:
        optimum = outcome.optimum
        parts.append(
            f"<p>Optimum: {_e(optimum.objective)} welfare {_e(_approximate(optimum.value))}, found by "
            f"{_e(optimum.method)}; among several optima: {_e(optimum.choice_among_optima)}.</p>"
        )
    if outcome.comparison is not None:
        c = outcome.comparison
        parts.append(
            f"<p>Comparison ({_e(c.measure)}): {c.prefer_rule} voters prefer the rule's outcome, "
            f"{c.prefer_greedy} prefer greedy's; chosen: {_e(c.chosen)}.</p>"
        )
    if outcome.ineligible:
        parts.append(
            "<p>Left out by the eligibility filter: " + ", ".join(_project_html(p, names) for p in outcome.ineligible)
        )
        parts.append(".</p>")
    return "".join(parts)


def _steps_table(outcome: PotOutcome, names: Mapping[str, str]) -> str:
    rows = [
        [
            str(step.rank),
            _project_html(step.project_id, names),
            str(step.score),
            str(step.votes),
            _e(_m(step.cost)),
            _e(_m(step.money_left)),
            (f'<span class="yes">{_e(_DECISIONS.get(step.decision, step.decision))}</span>')
            if step.decision in ("funded", "reserve-funded")
            else _e(_DECISIONS.get(step.decision, step.decision)),
            _e(step.reason or ""),
        ]
        for step in outcome.steps
    ]
    return _table(
        ["rank", "project", "score", "votes", "cost", "money left", "decision", "why"],
        rows,
        numeric=(0, 2, 3, 4, 5),
        text=(6, 7),
    )


def _reasons_html(record: Record, outcome: PotOutcome, names: Mapping[str, str]) -> str:
    explanations = _explanations(record, outcome)
    parts: list[str] = []
    if explanations:
        parts.append('<h3>Why each project was or was not funded</h3><ul class="explain">')
        parts += [f"<li>{_e(paragraph)}</li>" for paragraph in explanations]
        parts.append("</ul>")
        if outcome.steps:
            parts.append(
                "<details><summary>The rule's steps, in the order it considered the projects</summary>"
                + _steps_table(outcome, names)
                + "</details>"
            )
    elif outcome.steps:
        parts.append("<h3>The rule's steps, in the order it considered the projects</h3>")
        parts.append(_steps_table(outcome, names))
    return "".join(parts)


def _cycle_html(cycle: CycleRecord) -> str:
    parts = ['<section id="cycle">', f"<h2>Budget cycle: {_e(cycle.name)}</h2>"]
    if cycle.decisions:
        rows = [[_e(d.kind), _e(", ".join(d.projects)), _e(d.reason)] for d in cycle.decisions]
        parts.append("<h3>Decisions</h3>" + _table(["decision", "projects", "reason"], rows, text=(2,)))
    if cycle.leftover_moves:
        rows = [[_e(m.source), _e(m.target), _e(_m(m.amount))] for m in cycle.leftover_moves]
        parts.append("<h3>Money left over, moved</h3>" + _table(["from", "to", "amount"], rows, numeric=(2,)))
    parts.append("</section>")
    return "\n".join(parts)


def _warnings_html(warnings: Sequence[RecordWarning]) -> str:
    rows = [[_e(w.file), "" if w.line is None else str(w.line), _e(w.code), _e(w.message)] for w in warnings]
    return (
        '<section id="warnings"><h2>Warnings</h2>'
        f"<details><summary>{len(warnings)} warning{'s' if len(warnings) != 1 else ''} about the input</summary>"
        + _table(["file", "line", "code", "message"], rows, numeric=(1,), text=(3,))
        + "</details></section>"
    )


def _verification_html(record: Record, record_name: str, record_sha256: str | None) -> str:
    version = record.generator.version
    parts = [
        '<section id="verification">',
        "<h2>Check this result yourself</h2>",
        f"<p>Install {_e(record.generator.name)} version {_e(version)}, put the result record and the input files "
        "below in one folder, and run:</p>",
        f"<pre><code>asukasbudjetti verify {_e(shlex.quote(record_name))}</code></pre>",
        "<p>It checks every input's SHA-256, runs the tally again and succeeds only if the new record is identical, "
        "byte for byte, to this one.</p>",
    ]
    record_rows = [["file", f"<code>{_e(record_name)}</code>"]]
    if record_sha256 is not None:
        record_rows.append(["SHA-256", f'<span class="hash">{_e(record_sha256)}</span>'])
    record_rows += [
        ["made by", _e(f"{record.generator.name} {version}")],
        ["record schema", str(record.schema_version)],
        ["rule asked for", f"<code>{_e(record.requested_rule)}</code>"],
        ["seed", _e(", ".join(_seeds(record)) or "-")],
    ]
    parts.append("<h3>The record</h3>" + _table(["", ""], record_rows, text=(1,)))
    rows = [
        [f"<code>{_e(i.file)}</code>", str(i.size), f'<span class="hash">{_e(i.sha256)}</span>'] for i in record.inputs
    ]
    parts.append("<h3>Inputs</h3>" + _table(["file", "bytes", "SHA-256"], rows, numeric=(1,)))
    rows = [[f"<code>{_e(key)}</code>", f"<code>{_e(value)}</code>"] for key, value in _settings(record.invocation)]
    parts.append("<h3>How the tally was run</h3>" + _table(["setting", "value"], rows))
    for outcome in record.outcomes:
        rows = [[f"<code>{_e(key)}</code>", f"<code>{_e(value)}</code>"] for key, value in _settings(outcome.params)]
        parts.append(
            f"<h3>{_e(outcome.pot)}: rule <code>{_e(outcome.rule)}</code></h3>"
            f'<p class="note">Every parameter, defaults included; ballots from <code>{_e(outcome.source)}</code>.</p>'
            + _table(["parameter", "value"], rows)
        )
    parts.append("</section>")
    return "\n".join(parts)


# ----------------------------------------------------------------------------- Markdown


def _md(text: object) -> str:
    """Text with Markdown's special characters escaped."""
    return re.sub(r"([\\`*_\[\]<>|#~!])", r"\\\1", str(text))


def _md_project(project_id: str, names: Mapping[str, str]) -> str:
    name = names.get(project_id)
    return f"**{_md(project_id)}**" + (f" {_md(name)}" if name else "")


def render_markdown(record: Record, *, record_name: str = "RECORD.json", record_sha256: str | None = None) -> str:
    """A Markdown summary of the record: funded projects per pot, money spent and left, ties, verification data."""
    lines = [
        f"# {_md(_title(record))}",
        "",
        f"Computed by {_md(record.generator.name)} {_md(record.generator.version)} "
        f"from the result record `{record_name}`.",
    ]
    for outcome in record.outcomes:
        projects, _ = _projects(outcome)
        names = {project.id: project.name for project in projects if project.name}
        costs = {project.id: project.cost for project in projects}
        lines += [
            "",
            f"## {_md(outcome.pot)}",
            "",
            f"- Rule: `{outcome.rule}`",
            f"- Budget: {_m(outcome.budget)}",
            f"- Spent: {_m(outcome.spent)} ({_percent(outcome.spent, outcome.budget)})",
            f"- Left: {_m(outcome.left)} ({_percent(outcome.left, outcome.budget)})",
        ]
        if outcome.reserve is not None:
            r = outcome.reserve
            lines.append(
                f"- Reserve: {_md_project(r.project_id, names)} costs {_m(r.cost)}: {_m(r.from_pot)} from the pot, "
                f"{_m(r.from_reserve)} from the reserve"
            )
        lines += ["", f"Funded ({len(outcome.funded)}):", ""]
        if outcome.funded:
            for number, project in enumerate(outcome.funded, start=1):
                cost = costs.get(project)
                lines.append(
                    f"{number}. {_md_project(project, names)}{f' (cost {_m(cost)})' if cost is not None else ''}"
                )
        else:
            lines.append("- none")
        lines += ["", "Ties:", ""]
        if outcome.ties:
            for tie in outcome.ties:
                lines.append(
                    f"- step {tie.step}: {', '.join(_md(p) for p in tie.projects)}, settled by "
                    f"{_md(', then '.join(tie.settled_by))} ({'decisive' if tie.decisive else 'not decisive'})"
                )
        else:
            lines.append("- none")
        if outcome.announced is not None:
            announced = outcome.announced
            lines += [
                "",
                "Matches the outcome the input file announces."
                if announced.matches
                else "**Differs from the outcome the input file announces**"
                f" (missing: {', '.join(map(_md, announced.missing)) or '-'}; "
                f"extra: {', '.join(map(_md, announced.extra)) or '-'}).",
            ]
    if record.cycle is not None and record.cycle.leftover_moves:
        lines += ["", "## Money left over, moved", ""]
        lines += [f"- {_m(m.amount)} from {_md(m.source)} to {_md(m.target)}" for m in record.cycle.leftover_moves]
    if record.warnings:
        lines += ["", f"{len(record.warnings)} warning{'s' if len(record.warnings) != 1 else ''} about the input."]
    lines += [
        "",
        "## Verification",
        "",
        f"Made by {_md(record.generator.name)} {_md(record.generator.version)} "
        f"(record schema {record.schema_version}); rule asked for: `{record.requested_rule}`; "
        f"seed: {', '.join(_seeds(record)) or '-'}.",
        "",
        "| file | bytes | SHA-256 |",
        "| --- | ---: | --- |",
    ]
    if record_sha256 is not None:
        lines.append(f"| {_md(record_name)} (this record) | | `{record_sha256}` |")
    lines += [f"| {_md(i.file)} | {i.size} | `{i.sha256}` |" for i in record.inputs]
    lines += [
        "",
        "Invocation: " + ", ".join(f"`{key}={value}`" for key, value in _settings(record.invocation)),
    ]
    for outcome in record.outcomes:
        lines += [
            "",
            f"{_md(outcome.pot)}: rule `{outcome.rule}`, "
            + ", ".join(f"`{key}={value}`" for key, value in _settings(outcome.params)),
        ]
    lines += [
        "",
        "To check the result, put the record and its inputs in one folder and run:",
        "",
        "```sh",
        f"asukasbudjetti verify {shlex.quote(record_name)}",
        "```",
    ]
    return "\n".join(lines) + "\n"
