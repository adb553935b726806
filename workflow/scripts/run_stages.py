"""Snakemake adapter: run several stage scripts in one job (rules analyse_*).

Every Snakemake job is a new Python process that pays ~0.8 s of start-up and
imports before it does any work. Scoring, text and figures for one system
each take about as long as that start-up, so they run here one after the
other in one process. Each stage is still its own thin adapter in
workflow/scripts/ and sees only its own inputs, outputs and params (the
rule's `params.stages` maps them), exactly as it would as a rule of its own.
"""

from relaudit.jobserver import hand_off

# Run in the warm job server when there is one (see relaudit.jobserver).
hand_off()

import runpy
from pathlib import Path


class Names(dict):
    """Named files or values, by attribute (`x.name`) or by key (`x["name"]`)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


class StageJob:
    """What a stage script sees as `snakemake`: its own slice of this job."""

    def __init__(self, spec):
        # A stage's input is one of this job's inputs, or a file an earlier
        # stage of this job wrote: spec["input"][name] = ["input" | "output", name].
        sources = {"input": snakemake.input, "output": snakemake.output}
        self.input = Names(
            {key: sources[where][name] for key, (where, name) in spec["input"].items()}
        )
        self.output = Names({key: snakemake.output[name] for key, name in spec["output"].items()})
        self.params = Names({key: snakemake.params[name] for key, name in spec["params"].items()})
        self.log = snakemake.log
        self.wildcards = snakemake.wildcards
        self.threads = snakemake.threads
        self.config = snakemake.config


for stage in snakemake.params.stages:
    runpy.run_path(
        str(Path(snakemake.scriptdir) / stage["script"]),
        init_globals={"snakemake": StageJob(stage)},
        run_name="__main__",
    )
