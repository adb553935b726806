# Rules for the figures stage (see docs/dataflow.md): every chart of a
# system's briefing pack and of the national annex, as SVG (HTML) and PNG
# (PDF/DOCX), listed in document order in figures.json.


rule figures_system:
    input:
        statement_scores=f"{R}/systems/{{sid}}/tables/statement_scores.csv",
        group_scores=f"{R}/systems/{{sid}}/tables/group_scores.csv",
        label_distribution=f"{R}/systems/{{sid}}/tables/label_distribution.csv",
        comparator=f"{R}/systems/{{sid}}/tables/comparator.csv",
        comparator_summary=f"{R}/systems/{{sid}}/tables/comparator_summary.csv",
        breakdown_scores=f"{R}/systems/{{sid}}/tables/breakdown_scores.csv",
        profile=f"{R}/systems/{{sid}}/tables/profile.csv",
        instrument=config["instrument"],
    output:
        figures_json=f"{R}/systems/{{sid}}/figures/figures.json",
        # The SVG of each chart goes into the Snakemake report (the PNG is for PDF).
        charts=[
            (
                report(
                    f"{R}/systems/{{sid}}/figures/{name}.{ext}",
                    caption=figure_caption(name),
                    category="System figures",
                    subcategory="{sid}",
                    labels={"system": "{sid}", "figure": name},
                )
                if ext == "svg"
                else f"{R}/systems/{{sid}}/figures/{name}.{ext}"
            )
            for name in SYSTEM_FIGURES
            for ext in FIGURE_FORMATS
        ],
    log:
        f"{R}/logs/figures_system/{{sid}}.log",
    benchmark:
        f"{R}/benchmarks/figures_system/{{sid}}.tsv"
    conda:
        "../../environment.yml"
    params:
        min_group_size=config["min_group_size"],
        top_n=config["top_n"],
        communication_items=FIGURE_COMMUNICATION_ITEMS,
        names=SYSTEM_FIGURES,
    script:
        "../scripts/figures_system.py"


rule figures_national:
    input:
        statement_scores=f"{R}/national/tables/statement_scores.csv",
        group_scores=f"{R}/national/tables/group_scores.csv",
        response_summary=f"{R}/national/tables/response_summary.csv",
        label_distribution=f"{R}/national/tables/label_distribution.csv",
        breakdown_scores=f"{R}/national/tables/breakdown_scores.csv",
        breakdown_labels=f"{R}/national/tables/breakdown_labels.csv",
        consistency=f"{R}/national/tables/consistency.csv",
        profile=f"{R}/national/tables/profile.csv",
        comment_rates=f"{R}/national/text/comment_rates.csv",
        instrument=config["instrument"],
    output:
        figures_json=f"{R}/national/figures/figures.json",
        # The SVG of each chart goes into the Snakemake report (the PNG is for PDF).
        charts=[
            (
                report(
                    f"{R}/national/figures/{name}.{ext}",
                    caption=figure_caption(name),
                    category="National figures",
                    labels={"figure": name},
                )
                if ext == "svg"
                else f"{R}/national/figures/{name}.{ext}"
            )
            for name in NATIONAL_FIGURES
            for ext in FIGURE_FORMATS
        ],
    log:
        f"{R}/logs/figures_national/figures_national.log",
    benchmark:
        f"{R}/benchmarks/figures_national/figures_national.tsv"
    conda:
        "../../environment.yml"
    params:
        min_group_size=config["min_group_size"],
        top_n=config["top_n"],
        communication_items=FIGURE_COMMUNICATION_ITEMS,
        names=NATIONAL_FIGURES,
    script:
        "../scripts/figures_national.py"
