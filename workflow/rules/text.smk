# Rules for the text stage (see docs/dataflow.md): code each system's
# (already redacted) comments, apply analysts' coding sheets, choose quotes,
# and build the national quotes with each area's name masked.


rule text_system:
    input:
        responses=f"{R}/systems/{{sid}}/clean/responses.parquet",
        scores=f"{R}/systems/{{sid}}/tables/statement_scores.csv",
        instrument=config["instrument"],
        lexicon=config["lexicon"],
        coding_sheet=coding_sheet,
    output:
        coding_sheet=f"{R}/systems/{{sid}}/text/coding_sheet.csv",
        comments_coded=f"{R}/systems/{{sid}}/text/comments_coded.parquet",
        quotes=f"{R}/systems/{{sid}}/text/quotes.csv",
        theme_counts=f"{R}/systems/{{sid}}/text/theme_counts.csv",
        comment_rates=f"{R}/systems/{{sid}}/text/comment_rates.csv",
    log:
        f"{R}/logs/text_system/{{sid}}.log",
    benchmark:
        f"{R}/benchmarks/text_system/{{sid}}.tsv"
    conda:
        "../../environment.yml"
    params:
        min_group_size=config["min_group_size"],
        quotes_per_context=config["quotes_per_context"],
        top_n=config["top_n"],
    script:
        "../scripts/text_system.py"


rule text_national:
    input:
        coded=expand(f"{R}/systems/{{sid}}/text/comments_coded.parquet", sid=SYSTEM_IDS),
        responses=all_clean_parquets(),
        scores=f"{R}/national/tables/statement_scores.csv",
        systems=config["systems_sheet"],
        instrument=config["instrument"],
        lexicon=config["lexicon"],
    output:
        quotes=f"{R}/national/text/quotes.csv",
        theme_counts=f"{R}/national/text/theme_counts.csv",
        comment_rates=f"{R}/national/text/comment_rates.csv",
    log:
        f"{R}/logs/text_national.log",
    benchmark:
        f"{R}/benchmarks/text_national/text_national.tsv"
    conda:
        "../../environment.yml"
    params:
        system_ids=SYSTEM_IDS,
        min_group_size=config["min_group_size"],
        quotes_per_context=config["quotes_per_context"],
        top_n=config["top_n"],
    script:
        "../scripts/text_national.py"
