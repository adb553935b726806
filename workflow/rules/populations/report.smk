# The report of a programme of populations (helper D of issue 15): the label
# distribution and the charts (rule programme_figures), then the report in
# HTML and PDF (rule programme_report). Uses only what common.smk defines for
# every populations rule: R, POPULATIONS, INSTRUMENT_PATHS, config and the path
# helpers clean_responses(pop), stage(name) and table(name). Nothing here imports
# pandas: the chart names come from the registry (relaudit.chartset).
from pathlib import Path

from relaudit.chartset import PopulationPlan, programme_chart_names
from relaudit.instrument import load_instrument
from relaudit.sections import check_ids as check_section_ids

REPORT_DOCUMENT = config["documents"]["report"]
check_section_ids(
    "programme", REPORT_DOCUMENT["sections"], config.get("programme", "config"), "report"
)
REPORT_NAME = REPORT_DOCUMENT.get("output", "report")
REPORT_FORMATS = [
    f for f in config.get("render", {}).get("formats", ["html", "pdf"]) if f in ("html", "pdf")
]
REPORT_TEMPLATE_FILES = sorted(
    str(p) for p in Path("templates").rglob("*") if p.is_file() and "__pycache__" not in p.parts
)


def _population_plans():
    plans = []
    for pop in POPULATIONS:
        instrument = load_instrument(INSTRUMENT_PATHS[pop])
        plans.append(
            PopulationPlan(
                pop,
                len(instrument.targets),
                tuple(q.id for q in instrument.questions_with("breakdown")),
            )
        )
    return plans


PROGRAMME_CHARTS = programme_chart_names(_population_plans())
# What the report's view of the programme needs (relaudit.programme_report).
REPORT_PROGRAMME = {
    key: config[key]
    for key in (
        "programme",
        "title",
        "populations",
        "cross_analysis",
        "min_group_size",
        "census_date",
    )
    if key in config
}
REPORT_TABLE_INPUTS = {
    name: stage(name)
    for name in (
        "question_scores",
        "target_scores",
        "breakdown_scores",
        "cross_analysis",
        "no_contact",
        "must_haves",
    )
}


rule programme_figures:
    input:
        **REPORT_TABLE_INPUTS,
        clean=[clean_responses(pop) for pop in POPULATIONS],
        instruments=[INSTRUMENT_PATHS[pop] for pop in POPULATIONS],
    output:
        label_distribution=table("label_distribution"),
        label_distribution_stage=stage("label_distribution"),
        figures_json=f"{R}/figures/figures.json",
        charts=[f"{R}/figures/{name}.{ext}" for name in PROGRAMME_CHARTS for ext in ("svg", "png")],
    log:
        f"{R}/logs/programme_figures.log",
    params:
        programme=REPORT_PROGRAMME,
        populations=POPULATIONS,
        names=PROGRAMME_CHARTS,
    script:
        "../../scripts/figures_populations.py"


rule programme_report:
    input:
        **REPORT_TABLE_INPUTS,
        label_distribution=stage("label_distribution"),
        must_haves_coded=stage("must_haves_coded"),
        theme_counts=f"{R}/text/theme_counts.csv",
        quotes=f"{R}/text/quotes.csv",
        reconciliation=f"{R}/audit/reconciliation.csv",
        quarantine=f"{R}/audit/quarantine.csv",
        cell_issues=f"{R}/audit/cell_issues.csv",
        figures=f"{R}/figures/figures.json",
        charts=[f"{R}/figures/{name}.{ext}" for name in PROGRAMME_CHARTS for ext in ("svg", "png")],
        report_rules=config["report_rules"],
        instruments=[INSTRUMENT_PATHS[pop] for pop in POPULATIONS],
        templates=REPORT_TEMPLATE_FILES,
    output:
        qmd=f"{R}/report/{REPORT_NAME}.qmd",
        docs=[f"{R}/report/{REPORT_NAME}.{fmt}" for fmt in REPORT_FORMATS],
        render_info=f"{R}/report/render.json",
    log:
        f"{R}/logs/programme_report.log",
    params:
        programme=REPORT_PROGRAMME,
        populations=POPULATIONS,
        document=REPORT_DOCUMENT,
        formats=REPORT_FORMATS,
        engine=config.get("render", {}).get("engine", "pandoc"),
    script:
        "../../scripts/render_report.py"


register_final(f"{R}/figures/figures.json", *rules.programme_report.output.docs)
register_render_info(rules.programme_report.output.render_info)
