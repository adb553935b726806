"""Tests for the documents (relaudit.document, .markdown, .blocks, .sections,
.pack, .annex): escaping by default, sections, no response ids."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from known_answers import CQC_SYSTEM_CHARTS

from relaudit import annex, blocks, pack, sections
from relaudit import document as doc
from relaudit import markdown as md
from relaudit.config import System
from relaudit.errors import ConfigError
from relaudit.findings import load_enquiry_rules
from relaudit.instrument import load_instrument
from relaudit.yamlio import load_yaml

ROOT = Path(__file__).resolve().parents[2]
INSTRUMENT = load_instrument(ROOT / "config" / "instruments" / "cqc-relational-audit.yaml")
RULES = load_enquiry_rules(ROOT / "config" / "enquiry_rules.yaml")
PROGRAMME_FILE = ROOT / "config" / "programmes" / "cqc-relational-audit-2017.yaml"
DOCUMENTS = load_yaml(PROGRAMME_FILE.read_text(encoding="utf-8"))["documents"]
BRIEFING_ENTRIES = DOCUMENTS["briefing"]["sections"]
ANNEX_ENTRIES = DOCUMENTS["annex"]["sections"]
COMMUNICATION_ITEMS = INSTRUMENT.statement_set("communication").items

# The headings readers (and tests/integration/test_e2e.py) see, in order.
BRIEFING_HEADINGS = [
    "About this pack",
    "Key messages",
    "Who responded",
    "Relational value and proximity",
    "Best and worst statements",
    "Differences from other systems",
    "Differences between groups",
    "Themes and quotes from comments",
    "Suggested lines of enquiry",
    "Method and caveats",
    "Data quality",
]
ANNEX_HEADINGS = [
    "Background",
    "The two frameworks",
    "Definitions",
    "Overall scores",
    "Best and worst statements",
    "Enablers and barriers",
    "Consistency across systems",
    "Themes from comments",
    "Findings by length of time",
    "Findings by organisation type",
    "The voluntary, community and social enterprise sector",
    "Findings by role",
    "Communication: front line and senior staff",
    "Methodology",
    "Limitations",
    "Responses by system",
    "Appendix A: the statements",
    "Appendix B: the questionnaire",
]

HOSTILE = [
    "<script>alert(1)</script>",
    "![x](file:///etc/passwd)",
    '#read("/etc/passwd")',
    "{{ config }} {% raw %}",
    "@smith2020 $x^2$",
    '=HYPERLINK("http://evil")',
    "*bold* _em_ `code` [link](http://evil) | pipe",
    "\x07bell\x1b[31m",
]
PAYLOAD = " ".join(HOSTILE)
RESPONSE_ID = "R_5xYzSecretId42"


def _system(name: str = "Testshire", order: int = 3) -> System:
    return System(
        system_id="testshire",
        name=name,
        aliases=(),
        review_order=order,
        questionnaire_version="v2",
        survey_opened=dt.date(2017, 11, 1),
        deadline=dt.date(2017, 11, 17),
        sent_to=40,
    )


def make_tables(
    hostile: str = "", with_comparator: bool = True, small: bool = False
) -> dict[str, pd.DataFrame]:
    """Small synthetic per-system tables in the formats of docs/dataflow.md."""
    items = INSTRUMENT.items
    scores = pd.DataFrame(
        {
            "item_id": [i.id for i in items],
            "framework": [i.framework for i in items],
            "n": 30,
            "mean": [round(1.5 + (k % 7) * 0.25 + k * 0.01, 2) for k in range(len(items))],
            "sd": 1.0,
            "ci_low": 2.0,
            "ci_high": 3.0,
            "pct_positive": 50.0,
        }
    )
    scores["rank"] = scores["mean"].rank(ascending=False, method="min").astype(int)
    comparator = scores[["item_id", "n", "mean"]].copy()
    if with_comparator:
        comparator["comparator_n"] = 300
        comparator["comparator_mean"] = 2.5
        comparator["diff"] = comparator["mean"] - 2.5
        comparator["diff_ci_low"] = comparator["diff"] - 0.3
        comparator["diff_ci_high"] = comparator["diff"] + 0.3
        comparator["flag"] = [
            "higher" if lo > 0 else "lower" if hi < 0 else "similar"
            for lo, hi in zip(comparator["diff_ci_low"], comparator["diff_ci_high"], strict=True)
        ]
        summary = pd.DataFrame(
            [{"systems": "a;b", "n_systems": 2, "responses": 300, "cutoff": "2017-11-17",
              "note": ""}]
        )  # fmt: skip
    else:
        for column in ("comparator_n", "comparator_mean", "diff", "diff_ci_low", "diff_ci_high"):
            comparator[column] = float("nan")
        comparator["flag"] = "no_comparator"
        summary = pd.DataFrame(
            [{"systems": "", "n_systems": 0, "responses": 0, "cutoff": "2017-11-17",
              "note": "no comparator"}]
        )  # fmt: skip
    group_rows = [
        {"grouping": "framework", "group": "relational_value", "mean": 2.8},
        {"grouping": "framework", "group": "relational_proximity", "mean": 2.3},
    ]
    for fw in INSTRUMENT.frameworks:
        for grouping, levels in fw.groupings.items():
            for index, level in enumerate(levels):
                group_rows.append({"grouping": grouping, "group": level, "mean": 2.0 + index * 0.2})
    group_name = hostile or "Health provider"
    breakdown_rows = []
    for grouping, groups in {
        "org_type": [group_name, "VCSE", "Other"],
        "role": ["Senior executive", "Administrative"],
        "tenure": ["Less than a year", "More than three years", "Multiple"],
    }.items():
        for index, group in enumerate(groups):
            tiny = small or group == "Other"
            for measure in ["relational_value", "relational_proximity", *COMMUNICATION_ITEMS]:
                breakdown_rows.append(
                    {
                        "grouping": grouping,
                        "group": group,
                        "measure": measure,
                        "n": float("nan") if tiny else 10 + index,
                        "mean": float("nan") if tiny else 3.0 - index * 0.9,
                        "pct_positive": float("nan") if tiny else 60.0 - index * 10,
                        "suppressed": tiny,
                    }
                )
    profile = pd.DataFrame(
        [
            {"question": "org_type", "group": group_name, "n": 20, "pct": 66.7,
             "suppressed": False},
            {"question": "org_type", "group": "Other", "n": float("nan"), "pct": float("nan"),
             "suppressed": True},
            {"question": "role", "group": "Senior executive", "n": 30, "pct": 100.0,
             "suppressed": False},
        ]
    )  # fmt: skip
    label_rows = [
        {"item_id": i.id, "label": label, "score": score, "n": 5, "pct": 100 / 6}
        for i in items
        for label, score in INSTRUMENT.scale.labels
    ]
    quote_text = hostile or "We meet often and the conversations are honest and useful to us all."
    quotes = pd.DataFrame(
        [
            {"context_type": "theme", "context": "openness", "rank": 1, "quote": quote_text,
             "attribution": hostile or "Senior executive, health provider", "comment_key": "k1"},
            {"context_type": "statement", "context": scores.sort_values("mean").iloc[0]["item_id"],
             "rank": 1, "quote": "Decisions get made without us and we find out afterwards.",
             "attribution": "Administrative, VCSE", "comment_key": "k2"},
        ]
    )  # fmt: skip
    themes = pd.DataFrame(
        [
            {"theme": "openness", "label": hostile or "Openness and honesty", "comments": 7,
             "pct": 35.0},
            {"theme": "finance", "label": "Finance and resources", "comments": 3, "pct": 15.0},
        ]
    )  # fmt: skip
    rates = pd.DataFrame(
        [
            {"grouping": "role", "group": "Senior executive", "respondents": 12, "comments": 6,
             "pct": 50.0, "suppressed": False},
            {"grouping": "org_type", "group": "Other", "respondents": float("nan"),
             "comments": float("nan"), "pct": float("nan"), "suppressed": True},
        ]
    )  # fmt: skip
    reconciliation = pd.DataFrame(
        [{"system_id": "testshire", "rows_read": 40, "kept_on_time": 30, "kept_late": 4,
          "quarantined": 3, "duplicates": 3}]
    )  # fmt: skip
    quarantine = pd.DataFrame(
        [
            {"system_id": "testshire", "source_file": "a.csv", "row_number": n,
             "response_id": RESPONSE_ID, "reason": reason}
            for n, reason in enumerate(
                ["duplicate"] * 3 + ["not_submitted", "not_submitted", "no_area"], start=1
            )
        ]
    )  # fmt: skip
    return {
        "statement_scores": scores,
        "group_scores": pd.DataFrame(group_rows),
        "label_distribution": pd.DataFrame(label_rows),
        "comparator": comparator,
        "comparator_summary": summary,
        "breakdown_scores": pd.DataFrame(breakdown_rows),
        "profile": profile,
        "quotes": quotes,
        "theme_counts": themes,
        "comment_rates": rates,
        "reconciliation": reconciliation,
        "quarantine": quarantine,
    }


FIGURES = [doc.Figure(n, f"Title of {n}", f"Alt of {n}", f"figures/{n}") for n in CQC_SYSTEM_CHARTS]


def render_briefing(
    system: System | None = None, tables=None, validation=None, figures=FIGURES
) -> str:
    context = pack.briefing_context(
        system or _system(),
        INSTRUMENT,
        tables or make_tables(),
        figures,
        validation or {"cell_issues": 2, "housekeeping_columns": ["IP Address", "Collector ID"]},
        RULES,
        min_group_size=5,
        top_n=5,
        census_date="2018-04-05",
        sections=BRIEFING_ENTRIES,
    )
    return doc.render_template("briefing.qmd.j2", context, doc.TEMPLATE_DIR)


def _headings(qmd: str) -> list[str]:
    """Level-1 headings as a reader sees them (markdown escapes undone)."""
    return [
        re.sub(r"\\(.)", r"\1", line[2:].strip())
        for line in qmd.splitlines()
        if line.startswith("# ")
    ]


def test_briefing_has_every_section_in_order():
    qmd = render_briefing()
    assert _headings(qmd) == BRIEFING_HEADINGS


def test_briefing_front_matter_is_yaml_with_only_the_agreed_keys():
    import yaml

    qmd = render_briefing(_system(name='Evil: "name" # {{x}}'))
    front = qmd.split("---\n")[1]
    data = yaml.safe_load(front)
    assert set(data) == {"title", "subtitle", "lang", "relaudit-header"}
    assert data["lang"] == "en-GB"
    assert "\\{\\{x\\}\\}" in data["title"]


def test_briefing_numbers_and_no_nan():
    qmd = render_briefing()
    assert "nan" not in qmd.lower().replace("finance", "")
    assert "Responses received by the deadline, used throughout this pack: 30" in qmd
    assert "left out of this pack: 4" in qmd
    assert "fewer than 5" in qmd  # suppressed profile and group cells
    assert "![Title of relational\\_value\\_heatmap](figures/relational_value_heatmap)" in qmd


@pytest.mark.parametrize("with_comparator", [True, False])
def test_every_figure_is_placed_once(with_comparator):
    qmd = render_briefing(tables=make_tables(with_comparator=with_comparator))
    for name in CQC_SYSTEM_CHARTS:
        assert qmd.count(f"](figures/{name})") == 1, name


def test_no_response_ids_in_briefing():
    qmd = render_briefing()
    assert RESPONSE_ID not in qmd
    assert "response_id" not in qmd
    assert not re.search(r"R_[A-Za-z0-9]{8,}", qmd)


def test_no_comparator_is_said_once():
    qmd = render_briefing(tables=make_tables(with_comparator=False))
    assert "Comparator: none." in qmd  # the cover's fact
    # Explained once (the key messages); charts, sections and rules do not repeat it.
    assert qmd.lower().count("no comparator") == 1
    assert "no other system" not in qmd.lower().replace("no other system had responses", "", 1)
    assert "read against the scale midpoint" in qmd


def pandoc_ast(markdown: str) -> dict:
    """Parse with pandoc's most permissive markdown reader (all raw extensions on)."""
    import subprocess

    import pypandoc

    result = subprocess.run(
        [pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "json"],
        input=markdown,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def walk(node, found: list) -> list:
    if isinstance(node, dict):
        if "t" in node:
            found.append(node)
        for value in node.values():
            walk(value, found)
    elif isinstance(node, list):
        for value in node:
            walk(value, found)
    return found


def plain_text(nodes: list) -> str:
    return "".join(n.get("c", "") if n["t"] == "Str" else " " if n["t"] == "Space" else ""
                   for n in nodes)  # fmt: skip


@pytest.mark.parametrize("payload", [*HOSTILE, PAYLOAD])
def test_hostile_text_stays_escaped_everywhere(payload):
    """System name, group names, theme labels, quotes, attributions, housekeeping
    column names: pandoc finds no raw markup, link, image, maths or citation."""
    qmd = render_briefing(
        system=_system(name=payload),
        tables=make_tables(hostile=payload),
        validation={"cell_issues": 0, "housekeeping_columns": [payload]},
    )
    assert "\x07" not in qmd and "\x1b" not in qmd
    nodes = walk(pandoc_ast(qmd), [])
    kinds = {n["t"] for n in nodes}
    assert not kinds & {"RawInline", "RawBlock", "Math", "Cite", "Link", "Code", "CodeBlock"}
    images = [n["c"][2][0] for n in nodes if n["t"] == "Image"]
    assert images and all(src.startswith("figures/") for src in images)
    # The payload is shown as literal text (controls removed).
    visible = " ".join("".join(ch for ch in payload if ch.isprintable()).split())
    assert visible.split()[0] in plain_text(nodes)


def test_hostile_figure_metadata_cannot_break_out():
    figure = doc.Figure('heat map"}', "Title ![y](file:///x)", 'alt "} ![z](http://e)', "figures/h")
    markdown = figure.markdown
    assert markdown.count('"') == 2
    nodes = walk(pandoc_ast(markdown + "\n"), [])
    images = [n for n in nodes if n["t"] == "Image"]
    assert len(images) == 1
    (_, _, attributes), _, (src, _) = images[0]["c"]
    assert src == "figures/h"
    assert dict(attributes)["fig-alt"].startswith("alt")
    assert "fig-heat-map" in json.dumps(nodes)
    assert not {n["t"] for n in nodes} & {"Link", "RawInline"}


def test_load_figures_reads_generic_entries(tmp_path):
    figures_dir = tmp_path / "figures"
    figures_dir.mkdir()
    (figures_dir / "figures.json").write_text(
        json.dumps(
            [
                {"name": "heatmap", "title": "T", "alt": "A", "svg": "heatmap.svg",
                 "png": "heatmap.png"},
                {"name": "evil", "title": "T", "alt": "A", "svg": "../../etc/passwd.svg",
                 "png": "x.png"},
            ]
        )
    )  # fmt: skip
    figures = doc.load_figures(figures_dir / "figures.json", tmp_path)
    assert [f.path for f in figures] == ["figures/heatmap"]


def test_finalize_escapes_unless_markdown():
    env = doc.make_environment()
    template = env.from_string("{{ a }}|{{ b }}|{{ c | mean }}|{{ d | pct }}|{{ e | count }}")
    out = template.render(a="*x*", b=md.Markdown("*x*"), c=2.345, d=66.6, e=2538)
    assert out == "\\*x\\*|*x*|2.35|67%|2,538"


def test_strict_undefined():
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        doc.make_environment().from_string("{{ missing }}").render()


def test_md_table_escapes_cells():
    table = md.md_table(["A", "B"], [["x | y", md.Markdown("*ok*")]], "lr", [5, 5])
    lines = table.splitlines()
    assert lines[1] == "|:-----|-----:|"
    assert lines[2] == "| x \\| y | *ok* |"


def test_suppressed_groups_show_no_numbers():
    qmd = render_briefing(tables=make_tables(small=True))
    section = qmd.split("# Differences between groups")[1].split("\n# ")[0]
    table_rows = [line for line in section.splitlines() if line.startswith("| ")][1:]
    assert table_rows
    assert not any(re.search(r"\d\.\d\d", row) for row in table_rows)


def test_data_quality_counts_reasons_not_rows():
    qmd = render_briefing()
    rows = [line for line in qmd.splitlines() if line.startswith("| ") and "| Rows |" not in line]
    assert any("Repeated in a later export" in r and r.endswith("| 3 |") for r in rows)
    assert any("Never submitted" in r and r.endswith("| 2 |") for r in rows)
    # Housekeeping columns are counted as survey-tool columns, never named.
    assert "2 survey-tool columns (not used)" in qmd
    assert "IP Address" not in qmd and "Collector ID" not in qmd


# --- national annex -------------------------------------------------------------

SYSTEM_NAMES = ["Northtown", "Southvale", "Eastmere"]
ANNEX_FIGURE_NAMES = [
    "responses_by_system",
    "profile",
    "relational_value_heatmap",
    "relational_proximity_domains",
    "best_worst",
    "consistency",
    "proximity_commonality_by_org_type",
    "frameworks_by_tenure",
    "frameworks_by_org_type",
    "frameworks_by_role",
    "communication_by_role",
    "comment_rates",
]


def make_annex_tables(hostile: str = "") -> dict[str, pd.DataFrame]:
    base = make_tables(hostile=hostile)
    scores = base["statement_scores"]
    scopes = [scores.assign(scope="national")]
    group_rows = [base["group_scores"].assign(scope="national")]
    for index, sid in enumerate(["north", "south", "east"]):
        scopes.append(scores.assign(scope=sid, mean=scores["mean"] - 0.1 * index))
        group_rows.append(
            base["group_scores"].assign(scope=sid, mean=base["group_scores"]["mean"] - 0.2 * index)
        )
    names = [hostile or n for n in SYSTEM_NAMES]
    summary = pd.DataFrame(
        {
            "system_id": ["north", "south", "east"],
            "name": names,
            "review_order": [1, 2, 3],
            "questionnaire_version": ["v1", "v1", "v2"],
            "sent_to": [25, float("nan"), 40],
            "responses": [1200, 900, 438],
            "free_text": [500, 300, 200],
            "on_time": [1100, 850, 400],
            "late": [100, 50, 38],
        }
    )
    consistency = pd.DataFrame(
        {
            "item_id": scores["item_id"],
            "framework": scores["framework"],
            "systems": 3,
            "top5": [3 if i == 0 else 1 if i < 5 else 0 for i in range(len(scores))],
            "bottom5": [0 if i < 30 else 3 if i == 34 else 1 for i in range(len(scores))],
            "worst_in_framework": [2 if i == 31 else 0 for i in range(len(scores))],
        }
    )
    reconciliation = pd.concat(
        [base["reconciliation"].assign(system_id=sid) for sid in ["north", "south", "east"]]
    )
    return {
        **base,
        "statement_scores": pd.concat(scopes, ignore_index=True),
        "group_scores": pd.concat(group_rows, ignore_index=True),
        "response_summary": summary,
        "breakdown_labels": pd.DataFrame(columns=annex.ANNEX_TABLES["breakdown_labels"]),
        "consistency": consistency,
        "reconciliation": reconciliation,
    }


def render_annex(tables=None) -> str:
    figures = [
        doc.Figure(n, f"Title of {n}", f"Alt of {n}", f"figures/{n}") for n in ANNEX_FIGURE_NAMES
    ]
    context = annex.annex_context(
        INSTRUMENT,
        tables or make_annex_tables(),
        figures,
        min_group_size=5,
        top_n=5,
        census_date="2018-04-05",
        systems=[_system(), _system(order=4)],
        sections=ANNEX_ENTRIES,
    )
    return doc.render_template("annex.qmd.j2", context, doc.TEMPLATE_DIR)


def test_annex_has_every_section_in_order():
    assert _headings(render_annex()) == ANNEX_HEADINGS


def test_annex_places_every_figure_once():
    qmd = render_annex()
    for name in ANNEX_FIGURE_NAMES:
        assert qmd.count(f"](figures/{name})") == 1, name


def test_annex_names_systems_only_in_the_response_table():
    qmd = render_annex()
    before, table = qmd.split("# Responses by system")
    for name in SYSTEM_NAMES:
        assert name not in before
        assert name in table
    assert "not the number of people invited" in table
    assert "| 1 | Northtown | v1 | 25 | 1,200 | 500 |" in table
    assert "| 2 | Southvale | v1 | — | 900 | 300 |" in table
    assert "**2,538**" in table


def test_annex_lists_the_reworded_statements():
    qmd = render_annex()
    assert "Our buildings enable us to provide seamless care\\." in qmd
    assert "Our buildings and physical spaces enable us to provide seamless care\\." in qmd
    assert "reworded 5 statements (Infrastructure)" in qmd
    assert "Questionnaire v1: systems 1 to 2 in review order." in qmd
    assert "Questionnaire v2: systems 3 in review order." in qmd


def test_annex_consistency_sentences():
    qmd = render_annex()
    assert "was among the five best statements in all 3 systems" in qmd
    assert "was among the five worst statements in all 3 systems" in qmd
    assert "lowest\\-scoring relational proximity statement in 2 of the 3 systems" in qmd


def test_annex_no_response_ids_and_no_nan():
    qmd = render_annex()
    assert RESPONSE_ID not in qmd
    assert not re.search(r"\bnan\b", qmd, flags=re.IGNORECASE)


def test_annex_hostile_system_names_and_quotes_stay_escaped():
    qmd = render_annex(make_annex_tables(hostile=PAYLOAD))
    nodes = walk(pandoc_ast(qmd), [])
    assert not {n["t"] for n in nodes} & {"RawInline", "RawBlock", "Math", "Cite", "Link"}
    assert all(n["c"][2][0].startswith("figures/") for n in nodes if n["t"] == "Image")


def test_number_ranges():
    assert md.number_ranges([3, 1, 2, 5, 7, 8]) == "1 to 3, 5 and 7 to 8"
    assert md.number_ranges([4]) == "4"


def test_briefing_is_deterministic():
    assert render_briefing() == render_briefing()


def test_aliases_never_reach_the_pack():
    """Only the sheet's name is shown: aliases cannot leak, however hostile."""
    system = System(
        system_id="testshire",
        name="Testshire",
        aliases=(PAYLOAD, "Secret Alias"),
        review_order=3,
        questionnaire_version="v2",
        survey_opened=dt.date(2017, 11, 1),
        deadline=dt.date(2017, 11, 17),
    )
    qmd = render_briefing(system=system)
    assert "Secret Alias" not in qmd
    assert "alert" not in qmd


def test_annex_prose_joins_values_with_spaces():
    qmd = render_annex()
    assert "\u201d and \u201c" in qmd  # the two communication statements
    assert "Surveys were open for 16 days before each system's deadline." in qmd
    # The short label of relaudit.labels, as the charts name the statement.
    assert "## Proximity\\: Commonality by organisation type" in qmd


def test_briefing_with_empty_tables_still_renders():
    """A system whose responses all arrived late: every table empty, no crash, no 'nan'."""
    qmd = render_briefing(tables=pack.load_tables({}), validation={}, figures=[])
    assert _headings(qmd) == BRIEFING_HEADINGS
    assert not re.search(r"\bnan\b", qmd, flags=re.IGNORECASE)


def test_annex_with_empty_tables_still_renders():
    context = annex.annex_context(
        INSTRUMENT, annex.load_annex_tables({}), [], min_group_size=5, top_n=5,
        census_date="2018-04-05", sections=ANNEX_ENTRIES,
    )  # fmt: skip
    qmd = doc.render_template("annex.qmd.j2", context, doc.TEMPLATE_DIR)
    assert _headings(qmd) == ANNEX_HEADINGS
    assert not re.search(r"\bnan\b", qmd, flags=re.IGNORECASE)


def test_second_instrument_renders_generic_framework_text():
    """The council instrument (8 items, 1-4 scale, no grid) needs no template change."""
    import dataclasses

    other = load_instrument(
        ROOT / "tests" / "fixtures" / "instruments" / "council-partner-relationships.yaml"
    )
    system = dataclasses.replace(_system(), questionnaire_version=other.versions[0])
    context = pack.briefing_context(
        system, other, pack.load_tables({}), [], {}, RULES, min_group_size=5, top_n=5
    )
    qmd = doc.render_template("briefing.qmd.j2", context, doc.TEMPLATE_DIR)
    assert "8 statements" in qmd.replace("has 8 statements", "8 statements")
    by_group = [{"id": "by_group", "grouping": q.id} for q in other.questions_with("breakdown")]
    context = annex.annex_context(
        other,
        annex.load_annex_tables({}),
        [],
        min_group_size=5,
        top_n=5,
        census_date="2018-01-01",
        sections=["background", "frameworks", *by_group, "methodology"],
    )
    annex_qmd = doc.render_template("annex.qmd.j2", context, doc.TEMPLATE_DIR)
    assert "one framework" in annex_qmd
    assert "They do what they say they will do\\." in annex_qmd
    assert "Findings by " in annex_qmd  # one by_group section per breakdown question


# --- the section registry -----------------------------------------------------

SCOPES = {"briefing": "system", "annex": "national"}


@pytest.mark.parametrize("document", ["briefing", "annex"])
def test_every_programme_section_has_a_declaration_and_a_partial(document):
    scope = DOCUMENTS[document]["scope"]
    assert scope == SCOPES[document]
    known = sections.registry(scope)
    for entry in DOCUMENTS[document]["sections"]:
        section_id = entry if isinstance(entry, str) else entry["id"]
        assert section_id in known, section_id
        assert (ROOT / "templates" / known[section_id].partial).is_file(), section_id


@pytest.mark.parametrize("scope", ["system", "national"])
def test_every_declared_section_has_its_partial(scope):
    folder = {"system": "briefing", "national": "annex"}[scope]
    declared = sections.registry(scope)
    assert declared
    for section in declared.values():
        assert section.partial == f"sections/{folder}/{section.id}.j2"
        assert (ROOT / "templates" / section.partial).is_file(), section.id
    partials = {p.stem for p in (ROOT / "templates" / "sections" / folder).glob("*.j2")}
    assert partials == set(declared)  # no partial without a declaration


def test_programme_headings_are_the_document_headings():
    assert sections.headings("system", BRIEFING_ENTRIES) == BRIEFING_HEADINGS
    assert sections.headings("national", ANNEX_ENTRIES) == ANNEX_HEADINGS


def test_unknown_section_id_names_the_file_and_the_fix():
    with pytest.raises(ConfigError) as error:
        sections.resolve("system", ["cover", "no_such_section"], "config/programmes/x.yaml")
    message = str(error.value)
    assert "config/programmes/x.yaml" in message
    assert "documents/briefing/sections, entry 2" in message
    assert "'no_such_section'" in message
    assert "Fix:" in message and "templates/sections/briefing/" in message
    assert "key_messages" in message  # the ids that do exist


def test_unknown_section_in_the_pack_context_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown section id 'appendix'"):
        pack.briefing_context(
            _system(), INSTRUMENT, make_tables(), [], {}, RULES, min_group_size=5, top_n=5,
            sections=["cover", "appendix"], source="prog.yaml",
        )  # fmt: skip


def test_by_group_needs_a_grouping():
    with pytest.raises(ConfigError, match=r"entry 1 \(by_group\): no grouping.*Fix"):
        sections.resolve("national", [{"id": "by_group"}], "prog.yaml")


def test_section_heading_default_and_override():
    placed = sections.resolve(
        "national",
        ["background", {"id": "background", "heading": "Context"}, {"id": "by_group",
         "grouping": "role"}],
    )  # fmt: skip
    assert [p.heading for p in placed] == ["Background", "Context", "Findings by role"]
    assert placed[2].options == {"grouping": "role"}


def test_a_section_can_be_left_out_or_moved():
    qmd = render_briefing_with(["key_messages", "cover"])
    assert _headings(qmd) == ["Key messages", "About this pack"]


def render_briefing_with(entries) -> str:
    context = pack.briefing_context(
        _system(), INSTRUMENT, make_tables(), FIGURES, {}, RULES, min_group_size=5, top_n=5,
        sections=entries,
    )  # fmt: skip
    return doc.render_template("briefing.qmd.j2", context, doc.TEMPLATE_DIR)


def test_annex_by_group_follows_the_programme_order():
    context = annex.annex_context(
        INSTRUMENT, make_annex_tables(), [], min_group_size=5, top_n=5, census_date="2018-04-05",
        sections=[{"id": "by_group", "grouping": "role", "heading": "By role"},
                  {"id": "by_group", "grouping": "tenure", "heading": "By time"}],
    )  # fmt: skip
    qmd = doc.render_template("annex.qmd.j2", context, doc.TEMPLATE_DIR)
    assert _headings(qmd) == ["By role", "By time"]
    # The communication statements are shown by role, so under role only.
    role, tenure = qmd.split("# By time")
    assert "## Communication by role" in role
    assert "Two statements are about communication" in role
    assert "Communication" not in tenure


# --- moved building blocks ----------------------------------------------------


def test_counted_and_every():
    assert md.counted(2, "framework") == "two frameworks"
    assert md.counted(1, "statement") == "one statement"
    assert md.counted(12, "framework") == "12 frameworks"
    assert md.every(1, "framework") == "the framework"
    assert md.every(2, "framework") == "both frameworks"
    assert md.every(3, "framework") == "all three frameworks"


def test_with_hidden_note_says_each_mark_once():
    table = md.Markdown("| a |")
    assert md.with_hidden_note(table, [], 5) == table
    out = md.with_hidden_note(table, ["small", "small", "secondary"], 5)
    assert out.count("::: {.table-note}") == 1
    assert "\\* Fewer than 5 respondents\\: not shown." in out
    assert "\u2020 Not shown\\, to protect a smaller group." in out


def test_method_facts_take_the_positive_label_and_counts_from_the_instrument():
    facts = blocks.method_facts(INSTRUMENT, 5)
    assert facts["positive_label"] == "Often true"
    assert facts["frameworks_text"] == "two frameworks"
    assert facts["every_framework"] == "both frameworks"
    qmd = render_briefing()
    # "% positive" explained from the scale, for both wordings of a statement.
    assert "share of answers from “Often true” to “Consistently true”" in qmd
    assert "it is the share from “Consistently not true” to “Sometimes true”" in qmd
    assert "Mean scores on the two frameworks by" in qmd


def test_framework_description_comes_from_the_instrument():
    text = blocks.framework_description(INSTRUMENT, "relational_value")
    assert text.startswith("Relational value is about the quality of the relationships")
    assert "crosses 5 attributes of a good relationship (Integrity, Respect" in text
    assert "each of the 30 combinations" in text


def test_statement_set_block_counts_its_statements():
    block = blocks.statement_set_block(
        make_tables()["breakdown_scores"],
        INSTRUMENT,
        INSTRUMENT.statement_set("communication"),
        "v2",
        5,
        with_positive=False,
    )
    assert block["count_text"] == "Two statements" and block["verb"] == "are"
    assert block["by_name"] == "Role"
    assert block["short_labels"] == ["Integrity × Technology", "Proximity: Directness"]
    assert (
        block["table"]
        .splitlines()[0]
        .startswith("| Role | Integrity × Technology\\: mean &#40;answers&#41;")
    )


def test_comment_rates_follow_the_given_groupings():
    rates = make_tables()["comment_rates"]
    default = blocks.comment_rate_table(rates, INSTRUMENT, 5)  # comment_rates role: org_type, role
    ordered = blocks.comment_rate_table(rates, INSTRUMENT, 5, ["role", "org_type"])
    first = [line.split("|")[1].strip() for line in default.splitlines()[2:4]]
    assert first == ["Organisation type", "Role"]
    first = [line.split("|")[1].strip() for line in ordered.splitlines()[2:4]]
    assert first == ["Role", "Organisation type"]


def test_level_means_need_every_grid_grouping():
    tables = make_tables()["group_scores"]
    means = blocks.level_means(tables, INSTRUMENT)
    assert [t.splitlines()[0] for t in means["grid_means"]] == [
        "| Attribute | Mean |",
        "| Dimension | Mean |",
    ]
    assert [t.splitlines()[0] for t in means["domain_means"]] == ["| Proximity domain | Mean |"]
    without_dimension = tables[tables["grouping"] != "dimension"]
    assert blocks.level_means(without_dimension, INSTRUMENT)["grid_means"] == []


def test_document_modules_name_no_programme_items_or_groups():
    """The document code takes names from the instrument and programme only."""
    words = re.compile(
        r"org_type|tenure|\"role\"|proximity_|relational_|integrity|Often true|communication"
        r"|commonality|two frameworks",
        re.IGNORECASE,
    )
    for name in ("markdown", "blocks", "sections", "pack", "annex", "document", "findings"):
        source = (ROOT / "src" / "relaudit" / f"{name}.py").read_text(encoding="utf-8")
        code = "\n".join(line.split("#")[0] for line in source.splitlines())
        code = re.sub(r'"""[\s\S]*?"""', "", code)  # docstrings may give examples
        assert not words.search(code), (name, words.search(code))


def test_check_ids_fails_early_on_an_unknown_id():
    sections.check_ids("national", ANNEX_ENTRIES, "prog.yaml")  # the demo programme is fine
    with pytest.raises(ConfigError) as error:
        sections.check_ids("national", ["background", {"id": "apendix"}], "prog.yaml", "annex")
    message = str(error.value)
    assert message.startswith("prog.yaml: documents/annex/sections, entry 2: unknown section id")
    assert "'apendix'" in message and "Fix:" in message and "by_group" in message
