"""Reports of a result record for the public: one self-contained HTML page, or a Markdown summary.

Everything shown comes from the record; nothing is tallied again. Only the
presentation (language, currency, title) may come from the record's inputs beside
it (:mod:`.presentation`), and never changes a number. The HTML page is made from
the Jinja2 templates in ``templates/`` (autoescaped: a name from the input is text,
never markup): ``base.html`` lays out the page and includes a partial per section
(``overview``, ``pot``, ``rounds``, ``explanations``, ``margins``, ``cycle``,
``verification``). It is a single file a city can put on its site as it is: inline
CSS, charts as inline SVG, no script, no font, image or style sheet fetched from
anywhere, a layout that reads from a 360 px phone to a desktop, and a print style
sheet. Per pot it shows the funded projects with names, votes and costs, the
budget bar, the projects by support, the rule in a plain paragraph, the rounds,
why each project was or was not funded (``explain``), how far the unfunded ones were
(when the record has margins), and at the end everything needed to check the
result: the inputs' names and SHA-256, the rule and every parameter, the seed, the
version and the command ``asukasbudjetti verify RECORD``. Every text is in the
catalogs of :mod:`asukasbudjetti.i18n`.

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
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from asukasbudjetti.audit.explain import explain
from asukasbudjetti.audit.explain.render import SETTLED_BY
from asukasbudjetti.errors import InputError
from asukasbudjetti.i18n import N_, Texts
from asukasbudjetti.io.record import read_record_file
from asukasbudjetti.model.outcome import RuleParameters
from asukasbudjetti.model.record import CycleInvocation, PabulibInvocation, PotOutcome, Record
from asukasbudjetti.money import money_text
from asukasbudjetti.publish.presentation import Presentation, of_record

if TYPE_CHECKING:
    from asukasbudjetti.analysis.analyse import PotAnalysis

#: The report formats: ``html`` (a page with charts) and ``md`` (a Markdown summary).
FORMATS = ("html", "md")

#: Chart colours: funded projects and money spent, the rest, and text.
FUNDED_COLOUR = "#1b7f3b"
OTHER_COLOUR = "#b4bcc4"
LEFT_COLOUR = "#dfe4e8"
TEXT_COLOUR = "#1d232a"

#: The longest chart label, in characters (the tables show the full name).
CHART_LABEL = 34

TEMPLATES = Path(__file__).resolve().parent / "templates"


class _Project(BaseModel):
    """One project as the report shows it, gathered from whichever trace the rule left."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    id: str
    name: str | None = None
    cost: Fraction | None = None
    support: Fraction | None = None
    votes: int | None = None
    funded: bool = False

    def label(self) -> str:
        return self.id if not self.name else f"{self.id} {self.name}"


def render_report(
    path: str | Path,
    fmt: str = "html",
    *,
    lang: str | None = None,
    inputs_dir: str | None = None,
    fairness: bool = False,
    time_limit: float | None = None,
) -> str:
    """The report of the record at ``path``: ``fmt`` is ``html`` (a page) or ``md`` (Markdown).

    ``lang`` is fi, sv or en; by default the language of the record's inputs when
    they are beside it (or in ``inputs_dir``), else English.

    ``fairness`` adds a fairness section per pot: the record's rule is run again on
    its inputs (beside it or in ``inputs_dir``, checked against the record's SHA-256)
    and the outcome analysed (:func:`asukasbudjetti.analysis.analyse.analyse_record`,
    each check searching at most ``time_limit`` seconds). The analysis is not part
    of the record and never changes it.

    Raises :class:`~asukasbudjetti.errors.InputError` when ``fmt`` is unknown or the
    file cannot be read as a result record (see :func:`asukasbudjetti.io.record.read_record_file`).
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown report format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    raw, record = read_record_file(path)
    name = Path(path).name
    sha256 = hashlib.sha256(raw).hexdigest()
    presentation = of_record(record, path, inputs_dir)
    texts = presentation.texts(lang)
    analyses = None
    if fairness:
        from asukasbudjetti.analysis.analyse import analyse_record
        from asukasbudjetti.analysis.justified import TIME_LIMIT

        folder = Path(inputs_dir) if inputs_dir is not None else Path(path).parent
        analyses = analyse_record(record, folder, time_limit=TIME_LIMIT if time_limit is None else time_limit)
    options: dict[str, Any] = {
        "record_name": name,
        "record_sha256": sha256,
        "texts": texts,
        "presentation": presentation,
        "fairness": analyses,
    }
    if fmt == "md":
        return render_markdown(record, **options)
    return render_html(record, **options)


# ----------------------------------------------------------------------------- shared facts


#: Each step's decision, as the report says it.
_DECISIONS = {
    "funded": N_("funded"),
    "reserve-funded": N_("funded (partly from the reserve)"),
    "did-not-fit": N_("did not fit in the money left"),
    "stopped": N_("did not fit: the rule stops here"),
    "not-reached": N_("not reached"),
    "below-threshold": N_("below the threshold"),
    "withdrawn": N_("withdrawn"),
    "excluded": N_("excluded"),
}

#: The rule in one plain paragraph, by the family its name starts with (longest first).
_RULE_TEXTS = (
    (
        "greedy-no-skip",
        N_(
            "The projects were taken in order of votes, most first, and funded while the money lasted; the count "
            "stopped at the first project that did not fit in the money left."
        ),
    ),
    (
        "greedy",
        N_(
            "The projects were taken in order of votes, most first. Each was funded if it fit in the money left; "
            "one that did not fit was skipped, and the next one was tried."
        ),
    ),
    (
        "equalshares",
        N_(
            "Method of Equal Shares: the budget was divided equally among the voters, and a project was funded "
            "when its supporters could pay for it together from their shares, the project that asked the least of "
            "each supporter first."
        ),
    ),
    (
        "phragmen",
        N_(
            "Sequential Phragmén: the project whose supporters could share its cost with the lowest load each "
            "was funded first, then the next, while the money lasted."
        ),
    ),
    (
        "max-welfare",
        N_("The funded projects are the set that fits in the budget and gives the voters the greatest total benefit."),
    ),
)

#: What a pot's support counts, by the label _projects gives.
_SUPPORT = {
    "votes": N_("votes"),
    "score": N_("score"),
    "effective votes in round 1": N_("effective votes in round 1"),
    "supporters": N_("supporters"),
}


def _projects(outcome: PotOutcome) -> tuple[list[_Project], str | None]:
    """The pot's projects, best supported first, and what their support counts (None: unknown)."""
    funded = set(outcome.funded)
    rows: dict[str, _Project] = {}
    label: str | None = None
    if outcome.steps:
        label = "votes" if all(step.score == step.votes for step in outcome.steps) else "score"
        for step in outcome.steps:
            rows[step.project_id] = _Project(
                id=step.project_id, cost=step.cost, support=Fraction(step.score), votes=step.votes
            )
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
    listed = [
        row.model_copy(update={"funded": row.id in funded, "name": outcome.names.get(row.id)}) for row in rows.values()
    ]
    if label is not None:
        listed.sort(key=lambda row: -(row.support if row.support is not None else Fraction(-1)))
    return listed, label


def _share(part: Fraction, whole: Fraction, t: Texts) -> str:
    """``part`` as a percentage of ``whole``, to one decimal (``-`` when there is no whole)."""
    if whole <= 0:
        return "-"
    share = part / whole
    tenths = Fraction(round(share * 1000), 1000)
    text = t.percent(tenths)
    return text if tenths == share else t.gettext("about {value}", value=text)


def _drawable(values: list[Fraction]) -> list[float] | None:
    """The values as floats for a chart, or None when one is too large for a float to hold."""
    try:
        return [float(value) for value in values]
    except OverflowError:
        return None


def _not_drawn(t: Texts) -> str:
    """Said in place of a chart whose amounts no float can hold (the tables show them exactly)."""
    return f'<p class="note">{html.escape(t.gettext("The chart is not drawn: its amounts are too large to plot."))}</p>'


def _approximate(value: Fraction, t: Texts) -> str:
    """An exact value for the eye: two decimals, marked with ~ when rounded."""
    rounded = Fraction(round(value, 2))
    shown = t.number(rounded)
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


def _title(record: Record, presentation: Presentation | None, t: Texts) -> str:
    if record.cycle is not None:
        return record.cycle.name
    pots = ", ".join(outcome.pot for outcome in record.outcomes)
    if presentation is not None and presentation.title:
        return t.gettext("Residents' budget results: {pots}", pots=presentation.title)
    return t.gettext("Residents' budget results: {pots}", pots=pots)


def _explanations(record: Record, pot: PotOutcome, t: Texts) -> list[str] | None:
    """The paragraphs ``explain`` writes for ``pot``, or None when it cannot read the record
    (the step table stands in for them)."""
    # The record cut down to this pot (the cycle's decisions kept): paragraphs without the pot's name.
    one_pot = record.model_copy(update={"outcomes": (pot,)})
    try:
        return explain(one_pot, lang=t)
    except InputError:
        return None


def _json_default(value: object) -> str:
    """Exact money in a setting as the record writes it (JSON has no Fraction)."""
    if isinstance(value, Fraction):
        return money_text(value)
    raise TypeError(f"{type(value).__name__} is not a setting's value")


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_json_default)


def _rule_text(rule: str, t: Texts) -> str:
    for prefix, text in _RULE_TEXTS:
        if rule.startswith(prefix):
            return t.gettext(text)
    return t.gettext("The rule {rule} chose the funded projects.", rule=rule)


def _settled(criteria: tuple[str, ...] | list[str], t: Texts) -> str:
    return t.gettext(", then ").join(t.gettext(c) if c in SETTLED_BY else c for c in criteria)


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


def _support_chart(projects: list[_Project], label: str, prefix: str, pot: str, t: Texts) -> str:
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    shown = [project for project in projects if project.support is not None]
    values = _drawable([project.support or Fraction(0) for project in shown])
    if values is None:
        return _not_drawn(t)
    with _charts_context():
        figure = Figure(figsize=(4.6, 0.9 + 0.3 * len(shown)), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(shown)))
        colours = [FUNDED_COLOUR if project.funded else OTHER_COLOUR for project in shown]
        bars = axes.barh(positions, values, color=colours, height=0.7)
        axes.set_yticks(positions, [_chart_text(project.label()) for project in shown])
        axes.invert_yaxis()
        axes.bar_label(bars, labels=[_support_text(project.support, t) for project in shown], padding=3, fontsize=9)
        axes.set_xlim(0, (max(values) if values and max(values) > 0 else 1) * 1.18)
        axes.xaxis.set_visible(False)
        axes.spines["bottom"].set_visible(False)
        axes.tick_params(axis="y", length=0)
        # Over the whole figure, not the axes: long labels push the axes right, and a legend
        # centred on them would be cut at the figure's edge.
        figure.legend(
            handles=[
                Patch(color=FUNDED_COLOUR, label=_chart_text(t.gettext("funded"))),
                Patch(color=OTHER_COLOUR, label=_chart_text(t.gettext("not funded"))),
            ],
            loc="outside upper center",
            ncols=2,
            frameon=False,
        )
        return _svg(
            figure,
            prefix,
            t.gettext(
                "{pot}: projects by {support}, funded ones in green", pot=pot, support=t.gettext(_SUPPORT[label])
            ),
        )


def _support_text(value: Fraction | None, t: Texts) -> str:
    if value is None:
        return ""
    return _chart_text(t.number(value) if value.denominator == 1 else _approximate(value, t))


def _budget_chart(outcome: PotOutcome, prefix: str, t: Texts) -> str:
    from matplotlib.figure import Figure

    drawable = _drawable([outcome.spent, outcome.left])
    if drawable is None:
        return _not_drawn(t)
    spent, left = drawable
    with _charts_context():
        figure = Figure(figsize=(4.6, 0.95), layout="constrained")
        axes = figure.add_subplot()
        axes.barh(
            [0],
            [spent],
            color=FUNDED_COLOUR,
            height=0.6,
            label=_chart_text(t.gettext("spent {share}", share=_share(outcome.spent, outcome.budget, t))),
        )
        axes.barh(
            [0],
            [left],
            left=[spent],
            color=LEFT_COLOUR,
            height=0.6,
            label=_chart_text(t.gettext("left {share}", share=_share(outcome.left, outcome.budget, t))),
        )
        axes.set_xlim(0, max(spent + left, 1e-9))
        axes.set_axis_off()
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=2, frameon=False)
        return _svg(
            figure,
            prefix,
            t.gettext(
                "{pot}: budget {budget}, spent {spent}, left {left}",
                pot=outcome.pot,
                budget=t.money(outcome.budget),
                spent=t.money(outcome.spent),
                left=t.money(outcome.left),
            ),
        )


# ----------------------------------------------------------------------------- fairness


def _fairness_facts(analysed: PotAnalysis, t: Texts) -> dict[str, Any]:
    """What the fairness section says of one pot, in words of :mod:`asukasbudjetti.analysis.render`."""
    from asukasbudjetti.analysis.justified import Verdict
    from asukasbudjetti.analysis.render import (
        PROPERTY_MEANINGS,
        PROPERTY_NAMES,
        check_name,
        histogram_rows,
        measure_cells,
        measure_header,
        verdict_text,
        witness_sentence,
    )

    rule = analysed.rules[0]
    histogram = next((m for m in rule.satisfaction if m.satisfaction == "cardinality" and m.histogram), None)
    return {
        "rule": rule.rule if rule.rule == rule.ran else rule.ran,
        "listed": analysed.measure != "approved",
        "checks": [
            (check_name(c.property, c.satisfaction, t), c.verdict, verdict_text(c.verdict, t)) for c in rule.checks
        ],
        "meanings": [
            (t.gettext(PROPERTY_NAMES[p]), t.gettext(PROPERTY_MEANINGS[p]))
            for p in dict.fromkeys(c.property for c in rule.checks)
        ],
        "witnesses": [
            (check_name(c.property, c.satisfaction, t), witness_sentence(c, c.witness, t))
            for c in rule.checks
            if c.verdict is Verdict.FAILS and c.witness is not None
        ],
        "undecided": any(c.verdict is Verdict.NOT_DECIDED for c in rule.checks),
        "measure_header": measure_header(t),
        "measures": [measure_cells(m, t) for m in rule.satisfaction],
        "histogram": None if histogram is None else histogram,
        "histogram_rows": [] if histogram is None else histogram_rows(histogram, t),
    }


def _fairness_view(analysed: PotAnalysis, index: int, t: Texts) -> dict[str, Any] | None:
    """The fairness section of one pot for fairness.html (None when the pot's rule was not analysed)."""
    from markupsafe import Markup

    from asukasbudjetti.analysis.justified import Verdict

    if not analysed.rules:
        return None
    facts = _fairness_facts(analysed, t)
    classes = {Verdict.HOLDS: "yes", Verdict.FAILS: "no", Verdict.NOT_DECIDED: "undecided"}
    facts["checks"] = [
        [name, Markup('<span class="{}">{}</span>').format(classes[verdict], text)]
        for name, verdict, text in facts["checks"]
    ]
    facts["chart"] = None
    if facts["histogram"] is not None:
        facts["chart"] = Markup(
            _histogram_chart(
                facts["histogram_rows"], [b.voters for b in facts["histogram"].histogram], f"h{index}", analysed.pot, t
            )
        )
    return facts


def _histogram_chart(rows: list[tuple[str, str]], voters: list[int], prefix: str, pot: str, t: Texts) -> str:
    """Voters by the number of funded projects they voted for, as vertical bars (``rows`` label them)."""
    from matplotlib.figure import Figure

    with _charts_context():
        figure = Figure(figsize=(4.6, 2.4), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(rows)))
        bars = axes.bar(positions, voters, color=FUNDED_COLOUR, width=0.7)
        axes.set_xticks(positions, [_chart_text(label) for label, _ in rows])
        axes.bar_label(bars, labels=[_chart_text(count) for _, count in rows], padding=2, fontsize=9)
        axes.set_ylim(0, (max(voters) if voters and max(voters) > 0 else 1) * 1.18)
        axes.yaxis.set_visible(False)
        axes.spines["left"].set_visible(False)
        axes.set_xlabel(_chart_text(t.gettext("funded projects they voted for")))
        return _svg(
            figure,
            prefix,
            t.gettext("{pot}: voters by the number of funded projects they voted for", pot=pot),
        )


# ----------------------------------------------------------------------------- HTML


def _environment(t: Texts) -> Any:
    """Jinja2, autoescaping, with this language's ``_`` and ``ngettext`` (imported only for a report)."""
    import jinja2
    from markupsafe import Markup, escape

    def gettext(message: str, /, **values: object) -> Markup:
        # The message is text (escaped) and so is every value, unless already markup.
        return Markup(escape(t.gettext(message))).format(**values) if values else escape(t.gettext(message))

    def ngettext(singular: str, plural: str, count: int, /, **values: object) -> Markup:
        return Markup(escape(t.ngettext(singular, plural, count))).format(**values)

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
    return environment


def render_html(
    record: Record,
    *,
    record_name: str = "RECORD.json",
    record_sha256: str | None = None,
    texts: Texts | None = None,
    presentation: Presentation | None = None,
    fairness: Mapping[str, PotAnalysis] | None = None,
) -> str:
    """The record as one self-contained HTML page (inline CSS and SVG, no script, no URL).

    ``record_name`` is the record's file name, used in the verify command;
    ``record_sha256``, when given, is shown so that the page names the exact record.
    ``texts`` gives the language and currency (default: English, amounts as numbers).
    """
    from markupsafe import Markup

    t = texts or Texts()
    environment = _environment(t)
    pots = [_pot_view(record, outcome, index, t) for index, outcome in enumerate(record.outcomes, start=1)]
    for view, outcome in zip(pots, record.outcomes, strict=True):
        analysed = None if fairness is None else fairness.get(outcome.pot)
        view["fairness"] = None if analysed is None else _fairness_view(analysed, view["index"], t)

    def project(pid: str, names: Mapping[str, str]) -> Markup:
        name = names.get(pid)
        return Markup("<b>{}</b>").format(pid) + (Markup(" {}").format(name) if name else "")

    cycle = None
    if record.cycle is not None:
        cycle = {
            "name": record.cycle.name,
            "decisions": [[d.kind, ", ".join(d.projects), d.reason] for d in record.cycle.decisions],
            "moves": [[m.source, m.target, t.money(m.amount)] for m in record.cycle.leftover_moves],
        }
    record_rows: list[list[Any]] = [[t.gettext("file"), Markup("<code>{}</code>").format(record_name)]]
    if record_sha256 is not None:
        record_rows.append(["SHA-256", Markup('<span class="hash">{}</span>').format(record_sha256)])
    record_rows += [
        [t.gettext("made by"), f"{record.generator.name} {record.generator.version}"],
        [t.gettext("record schema"), str(record.schema_version)],
        [t.gettext("rule asked for"), Markup("<code>{}</code>").format(record.requested_rule)],
        [t.gettext("seed"), ", ".join(_seeds(record)) or "-"],
    ]
    code = Markup("<code>{}</code>").format
    page = environment.get_template("base.html").render(
        lang=t.lang,
        title=_title(record, presentation, t),
        generator=record.generator.name,
        version=record.generator.version,
        record_name=record_name,
        pots=pots,
        overview_rows=[
            [
                Markup('<a href="#pot-{}">{}</a>').format(index, outcome.pot),
                t.money(outcome.budget),
                t.money(outcome.spent),
                t.money(outcome.left),
                t.count(len(outcome.funded)),
            ]
            for index, outcome in enumerate(record.outcomes, start=1)
        ],
        cycle=cycle,
        warnings=[[w.file, "" if w.line is None else str(w.line), w.code, w.message] for w in record.warnings],
        verify_command=f"asukasbudjetti verify {shlex.quote(record_name)}",
        record_rows=record_rows,
        input_rows=[
            [code(i.file), t.count(i.size), Markup('<span class="hash">{}</span>').format(i.sha256)]
            for i in record.inputs
        ],
        invocation_rows=[[code(key), code(value)] for key, value in _settings(record.invocation)],
        project=project,
    )
    return re.sub(r"\n{2,}", "\n", page)


def _pot_view(record: Record, outcome: PotOutcome, index: int, t: Texts) -> dict[str, Any]:
    """What pot.html and its partials show of one pot, every value already in the page's language."""
    from markupsafe import Markup

    projects, label = _projects(outcome)
    names = outcome.names
    costs = {project.id: project.cost for project in projects}
    votes = {project.id: project.votes for project in projects}
    code = Markup("<code>{}</code>").format

    def named(pid: str) -> Markup:
        name = names.get(pid)
        return Markup("<b>{}</b>").format(pid) + (Markup(" {}").format(name) if name else "")

    def exact(value: Fraction) -> Markup:
        return Markup('<span title="{}">{}</span>').format(money_text(value), _approximate(value, t))

    view: dict[str, Any] = {
        "index": index,
        "name": outcome.pot,
        "rule": outcome.rule,
        "source": outcome.source,
        "rule_text": _rule_text(outcome.rule, t),
        "budget": t.money(outcome.budget),
        "spent": t.money(outcome.spent),
        "left": t.money(outcome.left),
        "spent_share": _share(outcome.spent, outcome.budget, t),
        "left_share": _share(outcome.left, outcome.budget, t),
        "budget_chart": Markup(_budget_chart(outcome, f"b{index}", t)),
        "funded": [
            [
                named(pid),
                "" if votes.get(pid) is None else t.count(votes[pid] or 0),
                "" if costs.get(pid) is None else t.money(costs[pid] or 0),
            ]
            for pid in outcome.funded
        ],
        "reserve": None,
        "support_chart": None,
        "support_caption": "",
        "announced": [],
        "announced_matches": True,
        "ties": [],
        "ties_text": "",
        "mes_rounds": [],
        "endowment": None,
        "phragmen_rounds": [],
        "trace_notes": [],
        "explanations": _explanations(record, outcome, t) or [],
        "steps": [],
        "margins": [],
        "params": [[code(key), code(value)] for key, value in _settings(outcome.params)],
    }
    if outcome.reserve is not None:
        reserve = outcome.reserve
        view["reserve"] = t.gettext(
            "Project {project} costs {cost}: {from_pot} from this pot and {from_reserve} from the reserve.",
            project=reserve.project_id,
            cost=t.money(reserve.cost),
            from_pot=t.money(reserve.from_pot),
            from_reserve=t.money(reserve.from_reserve),
        )
    if label is not None and any(project.support is not None for project in projects):
        view["support_chart"] = Markup(_support_chart(projects, label, f"s{index}", outcome.pot, t))
        view["support_caption"] = t.gettext(
            "Projects by {support}; funded ones in green. The table above and the explanations below give the "
            "full names.",
            support=t.gettext(_SUPPORT[label]),
        )
    announced = outcome.announced
    if announced is not None:
        lines = []
        view["announced_matches"] = announced.matches
        if announced.matches:
            lines.append(t.gettext("This is the outcome the input file announces."))
        else:
            lines.append(t.gettext("This differs from the outcome the input file announces."))
            if announced.missing:
                lines.append(
                    t.gettext("Announced but not funded here: {projects}.", projects=", ".join(announced.missing))
                )
            if announced.extra:
                lines.append(
                    t.gettext("Funded here but not announced: {projects}.", projects=", ".join(announced.extra))
                )
        if announced.outside_money:
            lines.append(
                t.gettext(
                    "Paid from money outside the file (not reproducible from the ballots): {projects}.",
                    projects=", ".join(announced.outside_money),
                )
            )
        view["announced"] = lines
    if outcome.ties:
        decisive = sum(tie.decisive for tie in outcome.ties)
        view["ties_text"] = t.ngettext(
            "{count} tie, {decisive} of them decisive (another order could have changed which projects are funded).",
            "{count} ties, {decisive} of them decisive (another order could have changed which projects are funded).",
            len(outcome.ties),
            count=len(outcome.ties),
            decisive=decisive,
        )
        view["ties"] = [
            [
                str(tie.step),
                Markup(", ").join(named(p) for p in tie.projects),
                _settled(tie.settled_by, t),
                Markup('<span class="yes">{}</span>').format(t.gettext("yes")) if tie.decisive else t.gettext("no"),
            ]
            for tie in outcome.ties
        ]
    if outcome.mes_rounds:
        if outcome.endowment is not None:
            view["endowment"] = Markup("{} (<code>{}</code>)").format(
                _approximate(outcome.endowment, t), money_text(outcome.endowment)
            )
        view["mes_rounds"] = [
            [
                str(mes.round),
                named(mes.project_id),
                t.money(mes.cost),
                exact(mes.q),
                exact(mes.effective_vote_count),
                t.count(sum(payment.voters for payment in mes.payments)),
            ]
            for mes in outcome.mes_rounds
        ]
    if outcome.phragmen_rounds:
        view["phragmen_rounds"] = [
            [
                str(p.round),
                named(p.project_id),
                t.money(p.cost),
                t.count(p.supporters),
                exact(p.load),
                t.money(p.money_left),
            ]
            for p in outcome.phragmen_rounds
        ]
    notes: list[str] = []
    if outcome.completion:
        adopted = [step for step in outcome.completion if step.accepted]
        notes.append(
            t.ngettext(
                "Completion: {count} endowment recorded; adopted: {adopted}.",
                "Completion: {count} endowments recorded; adopted: {adopted}.",
                len(outcome.completion),
                count=len(outcome.completion),
                adopted=_approximate(adopted[-1].endowment, t) if adopted else "-",
            )
        )
    if outcome.optimum is not None:
        notes.append(
            t.gettext(
                "Optimum: {objective} welfare {value}, found by {method}; among several optima: {choice}.",
                objective=outcome.optimum.objective,
                value=_approximate(outcome.optimum.value, t),
                method=outcome.optimum.method,
                choice=outcome.optimum.choice_among_optima,
            )
        )
    if outcome.comparison is not None:
        c = outcome.comparison
        notes.append(
            t.gettext(
                "Comparison ({measure}): {prefer_rule} voters prefer the rule's outcome, {prefer_greedy} prefer "
                "greedy's; chosen: {chosen}.",
                measure=c.measure,
                prefer_rule=t.count(c.prefer_rule),
                prefer_greedy=t.count(c.prefer_greedy),
                chosen=c.chosen,
            )
        )
    if outcome.ineligible:
        notes.append(
            t.gettext("Left out by the eligibility filter: {projects}.", projects=", ".join(outcome.ineligible))
        )
    view["trace_notes"] = notes
    view["steps"] = [
        [
            str(step.rank),
            named(step.project_id),
            t.count(step.score),
            t.count(step.votes),
            t.money(step.cost),
            t.money(step.money_left),
            Markup('<span class="yes">{}</span>').format(t.gettext(_DECISIONS[step.decision]))
            if step.decision in ("funded", "reserve-funded")
            else t.gettext(_DECISIONS.get(step.decision, step.decision)),
        ]
        for step in outcome.steps
    ]
    view["margins"] = [
        [
            named(margin.project_id),
            "-" if margin.extra_supporters is None else t.count(margin.extra_supporters),
            "-" if margin.max_cost is None else t.money(margin.max_cost),
        ]
        for margin in outcome.margins
    ]
    return view


# ----------------------------------------------------------------------------- Markdown


def _md(text: object) -> str:
    """Text with Markdown's special characters escaped."""
    return re.sub(r"([\\`*_\[\]<>|#~!])", r"\\\1", str(text))


def _md_project(project_id: str, names: Mapping[str, str]) -> str:
    name = names.get(project_id)
    return f"**{_md(project_id)}**" + (f" {_md(name)}" if name else "")


def _md_table(head: tuple[str, ...] | list[str], rows: list[tuple[str, ...]] | list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_md(cell) for cell in head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
    return lines


def _fairness_markdown(analysed: PotAnalysis, t: Texts) -> list[str]:
    """A pot's fairness section in Markdown: the same facts as fairness.html, the histogram as a table."""
    _ = t.gettext
    facts = _fairness_facts(analysed, t)
    lines = [
        "",
        "### " + _("Was the outcome fair?"),
        "",
        _(
            "These checks ask whether groups of voters who agree on projects got their fair share of the budget. "
            "They are not part of the result record: they were computed again from the record's inputs, for the "
            "rule {rule}.",
            rule=f"`{facts['rule']}`",
        ),
    ]
    if facts["listed"]:
        lines += ["", _("A project counts for a voter when her ballot lists it.")]
    if facts["checks"]:
        lines += ["", *_md_table([_("check"), _("holds")], [[name, text] for name, _v, text in facts["checks"]])]
        lines += [""] + [f"- **{_md(name)}**: {_md(meaning)}" for name, meaning in facts["meanings"]]
        if facts["undecided"]:
            lines += ["", _("Not decided: the check ran out of time before it could tell.")]
        for name, sentence in facts["witnesses"]:
            lines += ["", f"**{_md(name)}**: {_md(sentence)}"]
    lines += ["", "#### " + _("How satisfied the voters are"), ""]
    lines += _md_table(facts["measure_header"], facts["measures"])
    lines += ["", _("Gini: 0 when every voter got as much as every other, near 1 when a few got nearly everything.")]
    if facts["histogram_rows"]:
        lines += ["", _("Voters by the number of funded projects they voted for."), ""]
        lines += _md_table([_("funded projects they voted for"), _("voters")], facts["histogram_rows"])
    return lines


def render_markdown(
    record: Record,
    *,
    record_name: str = "RECORD.json",
    record_sha256: str | None = None,
    texts: Texts | None = None,
    presentation: Presentation | None = None,
    fairness: Mapping[str, PotAnalysis] | None = None,
) -> str:
    """A Markdown summary of the record: funded projects per pot, money spent and left, ties, verification data."""
    t = texts or Texts()
    _ = t.gettext
    lines = [
        f"# {_md(_title(record, presentation, t))}",
        "",
        _(
            "Computed by {generator} {version} from the result record {record}.",
            generator=_md(record.generator.name),
            version=_md(record.generator.version),
            record=f"`{record_name}`",
        ),
    ]
    for outcome in record.outcomes:
        projects, _label = _projects(outcome)
        names = outcome.names
        costs = {project.id: project.cost for project in projects}
        lines += [
            "",
            f"## {_md(outcome.pot)}",
            "",
            "- " + _("Rule: {rule}", rule=f"`{outcome.rule}`"),
            "- " + _("Budget: {amount}", amount=t.money(outcome.budget)),
            "- "
            + _(
                "Spent: {amount} ({share})",
                amount=t.money(outcome.spent),
                share=_share(outcome.spent, outcome.budget, t),
            ),
            "- "
            + _(
                "Left: {amount} ({share})", amount=t.money(outcome.left), share=_share(outcome.left, outcome.budget, t)
            ),
        ]
        if outcome.reserve is not None:
            r = outcome.reserve
            lines.append(
                "- "
                + _(
                    "Project {project} costs {cost}: {from_pot} from this pot and {from_reserve} from the reserve.",
                    project=_md_project(r.project_id, names),
                    cost=t.money(r.cost),
                    from_pot=t.money(r.from_pot),
                    from_reserve=t.money(r.from_reserve),
                )
            )
        lines += ["", _("Funded ({count}):", count=len(outcome.funded)), ""]
        if outcome.funded:
            for number, project in enumerate(outcome.funded, start=1):
                cost = costs.get(project)
                shown = "" if cost is None else " (" + _("cost {amount}", amount=t.money(cost)) + ")"
                lines.append(f"{number}. {_md_project(project, names)}{shown}")
        else:
            lines.append("- " + _("none"))
        lines += ["", _("Ties:"), ""]
        if outcome.ties:
            for tie in outcome.ties:
                lines.append(
                    "- "
                    + _(
                        "step {step}: {projects}, settled by {settled_by} ({decisive})",
                        step=tie.step,
                        projects=", ".join(_md(p) for p in tie.projects),
                        settled_by=_md(_settled(tie.settled_by, t)),
                        decisive=_("decisive") if tie.decisive else _("not decisive"),
                    )
                )
        else:
            lines.append("- " + _("none"))
        if outcome.announced is not None:
            announced = outcome.announced
            lines += [
                "",
                _("Matches the outcome the input file announces.")
                if announced.matches
                else "**"
                + _("Differs from the outcome the input file announces")
                + "** ("
                + _(
                    "missing: {missing}; extra: {extra}",
                    missing=", ".join(map(_md, announced.missing)) or "-",
                    extra=", ".join(map(_md, announced.extra)) or "-",
                )
                + ").",
            ]
        analysed = None if fairness is None else fairness.get(outcome.pot)
        if analysed is not None and analysed.rules:
            lines += _fairness_markdown(analysed, t)
    if record.cycle is not None and record.cycle.leftover_moves:
        lines += ["", "## " + _("Money left over, moved"), ""]
        lines += [
            "- "
            + _(
                "{amount} from {source} to {target}",
                amount=t.money(m.amount),
                source=_md(m.source),
                target=_md(m.target),
            )
            for m in record.cycle.leftover_moves
        ]
    if record.warnings:
        count = len(record.warnings)
        lines += [
            "",
            t.ngettext("{count} warning about the input.", "{count} warnings about the input.", count, count=count),
        ]
    lines += [
        "",
        "## " + _("Verification"),
        "",
        _(
            "Made by {generator} {version} (record schema {schema}); rule asked for: {rule}; seed: {seed}.",
            generator=_md(record.generator.name),
            version=_md(record.generator.version),
            schema=record.schema_version,
            rule=f"`{record.requested_rule}`",
            seed=", ".join(_seeds(record)) or "-",
        ),
        "",
        "| " + _("file") + " | " + _("bytes") + " | SHA-256 |",
        "| --- | ---: | --- |",
    ]
    if record_sha256 is not None:
        this = _("this record")
        lines.append(f"| {_md(record_name)} ({this}) | | `{record_sha256}` |")
    lines += [f"| {_md(i.file)} | {i.size} | `{i.sha256}` |" for i in record.inputs]
    lines += [
        "",
        _(
            "Invocation: {settings}",
            settings=", ".join(f"`{key}={value}`" for key, value in _settings(record.invocation)),
        ),
    ]
    for outcome in record.outcomes:
        lines += [
            "",
            _(
                "{pot}: rule {rule}, {settings}",
                pot=_md(outcome.pot),
                rule=f"`{outcome.rule}`",
                settings=", ".join(f"`{key}={value}`" for key, value in _settings(outcome.params)),
            ),
        ]
    lines += [
        "",
        _("To check the result, put the record and its inputs in one folder and run:"),
        "",
        "```sh",
        f"asukasbudjetti verify {shlex.quote(record_name)}",
        "```",
    ]
    return "\n".join(lines) + "\n"
