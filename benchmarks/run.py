"""Benchmark the pipeline: wall time, peak memory and time per rule.

Run with `make bench` (or `.venv/bin/python benchmarks/run.py --help`).
Data are generated with the demo generator (`dev/relaudit_dev/demo.py`) into `benchmarks/scratch/`
(never into `data/raw/`). Results go to `benchmarks/RESULTS.md` and the raw
measurements to `benchmarks/scratch/measurements.json`.

Cases:
- demo_full: the demo programme, full build from clean (HTML and PDF);
- noop: a rerun with nothing to do;
- incremental: a new export lands for the last system in review order;
- scale: 150 systems x 1,000 responses, full build (measured once);
- series: 20, 50, 100 and 150 systems x 1,000 responses (measured once each).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / "benchmarks" / "scratch"
BIN = Path(sys.executable).parent
SNAKEMAKE = BIN / "snakemake"
DEMO_SEED = 2018
# The demo generator is a development module outside the package, under dev/.
DEV = ROOT / "dev"
# Everything after this line of RESULTS.md is written by hand and kept on rewrite.
NOTES_MARKER = "<!-- notes: kept by benchmarks/run.py -->"


def measure(command: list[str], cwd: Path = ROOT) -> dict[str, float]:
    """Run a command; return wall seconds and the peak RSS of its process tree (MiB).

    The tree is sampled every 50 ms with psutil: the sum over all live
    descendants, so parallel jobs count together.
    """
    env = dict(os.environ, SOURCE_DATE_EPOCH="0", PYTHONHASHSEED="0", MPLBACKEND="Agg")
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    root = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            members = [root, *root.children(recursive=True)]
            total = 0
            for member in members:
                with contextlib.suppress(psutil.Error):
                    total += member.memory_info().rss
            peak = max(peak, total)
        except psutil.Error:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - start
    stderr = process.stderr.read() if process.stderr else ""
    if process.returncode != 0:
        sys.stderr.write(stderr[-4000:])
        raise SystemExit(f"benchmark command failed ({process.returncode}): {' '.join(command)}")
    return {"wall_s": wall, "peak_mib": peak / 2**20}


def generate(out: Path, systems: int | None, responses: int | None) -> tuple[Path, Path]:
    """Generate demo exports and their systems sheet into `out`."""
    raw = out / "raw"
    sheet = out / "systems.tsv"
    if raw.exists():
        return raw, sheet
    command = [str(BIN / "python"), "-m", "relaudit_dev.demo", "--out", str(raw)]
    command += ["--seed", str(DEMO_SEED), "--sheet", str(sheet)]
    if systems:
        command += ["--systems", str(systems), "--responses-per-system", str(responses)]
    path = os.pathsep.join(filter(None, (str(DEV), os.environ.get("PYTHONPATH"))))
    subprocess.run(command, check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": path})
    return raw, sheet


def snakemake(raw: Path, sheet: Path, results: Path, cores: int, *config: str) -> list[str]:
    return [
        str(SNAKEMAKE),
        "--cores",
        str(cores),
        "--nolock",
        "--quiet",
        "all",
        "--config",
        f"raw_dir={raw}",
        f"systems_sheet={sheet}",
        f"results_dir={results}",
        *config,
    ]


def clean(results: Path) -> None:
    shutil.rmtree(results, ignore_errors=True)


def last_system(sheet: Path) -> str:
    table = pd.read_csv(sheet, sep="\t", dtype=str)
    return table.sort_values("review_order", key=lambda s: s.astype(int)).iloc[-1]["system_id"]


def land_new_export(raw: Path, system_id: str, serial: int) -> Path:
    """A re-export arrives: the latest export again, under a later date."""
    folder = raw / system_id
    latest = sorted(p for p in folder.iterdir() if not p.name.startswith("."))[-1]
    target = folder / f"2099-01-{serial:02d}_export{latest.suffix}"
    shutil.copyfile(latest, target)
    return target


def rule_times(results: Path) -> dict[str, float]:
    """Seconds per rule, summed over its jobs, from Snakemake's benchmark files."""
    totals: dict[str, float] = {}
    for path in sorted((results / "benchmarks").rglob("*.tsv")):
        rule = path.relative_to(results / "benchmarks").parts[0]
        frame = pd.read_csv(path, sep="\t")
        totals[rule] = totals.get(rule, 0.0) + float(frame["s"].iloc[-1])
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def run_demo_cases(repeats: int, cores: int) -> dict[str, object]:
    out = SCRATCH / "demo"
    raw, sheet = generate(out, None, None)
    results = out / "results"
    cases: dict[str, list[dict[str, float]]] = {"demo_full": [], "noop": [], "incremental": []}
    rules: dict[str, float] = {}
    target = last_system(sheet)
    for attempt in range(1, repeats + 1):
        for extra in sorted((raw / target).glob("2099-*")):
            extra.unlink()
        clean(results)
        cases["demo_full"].append(measure(snakemake(raw, sheet, results, cores)))
        rules = rule_times(results)
        cases["noop"].append(measure(snakemake(raw, sheet, results, cores)))
        land_new_export(raw, target, attempt)
        cases["incremental"].append(measure(snakemake(raw, sheet, results, cores)))
    for extra in sorted((raw / target).glob("2099-*")):
        extra.unlink()
    # What the job server buys: the same full build with every job in its own process.
    clean(results)
    cases["demo_full_no_job_server"] = [
        measure(snakemake(raw, sheet, results, cores, "job_server=False"))
    ]
    clean(results)
    return {"cases": cases, "rules_demo_full": rules, "incremental_system": target}


def run_scale_cases(sizes: list[int], responses: int, cores: int) -> dict[str, object]:
    series: dict[str, dict[str, float]] = {}
    rules: dict[str, float] = {}
    for size in sizes:
        out = SCRATCH / f"scale-{size}x{responses}"
        raw, sheet = generate(out, size, responses)
        results = out / "results"
        clean(results)
        series[str(size)] = measure(snakemake(raw, sheet, results, cores))
        rules = rule_times(results)
        clean(results)
    return {"series": series, "rules_largest": rules, "responses_per_system": responses}


def machine() -> dict[str, str]:
    memory = psutil.virtual_memory().total / 2**30
    return {
        "cores": str(os.cpu_count()),
        "memory_gib": f"{memory:.1f}",
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.machine(),
    }


def median(values: list[dict[str, float]], key: str) -> float:
    return statistics.median(v[key] for v in values)


def write_results(data: dict[str, object], path: Path) -> None:
    info = data["machine"]
    lines = [
        "# Benchmark results",
        "",
        "Measured by `make bench` (`benchmarks/run.py`). Wall time of the whole",
        "`snakemake` command, and peak memory as the largest total RSS of its",
        "process tree (sampled every 50 ms), so parallel jobs count together.",
        "",
        f"Machine: {info['cores']} cores, {info['memory_gib']} GiB memory, "
        f"{info['processor']}, Python {info['python']}; `--cores {data['cores']}`.",
        "",
        "| case | target | runs | median wall (s) | median peak memory (MiB) |",
        "| --- | --- | --- | --- | --- |",
    ]
    targets = {
        "demo_full": "≤ 60 s",
        "noop": "≤ 5 s",
        "incremental": "≤ 15 s",
        "demo_full_no_job_server": "(comparison)",
    }
    demo = data.get("demo")
    if demo:
        for case, runs in demo["cases"].items():
            lines.append(
                f"| {case} | {targets[case]} | {len(runs)} | {median(runs, 'wall_s'):.1f} | "
                f"{median(runs, 'peak_mib'):.0f} |"
            )
    scale = data.get("scale")
    if scale:
        per = scale["responses_per_system"]
        for size, run in scale["series"].items():
            target = "≤ 600 s, ≤ 2048 MiB" if size == "150" else "growth"
            lines.append(
                f"| {size} systems × {per:,} responses | {target} | 1 (too long to repeat) | "
                f"{run['wall_s']:.1f} | {run['peak_mib']:.0f} |"
            )
        lines += ["", "Cost per system as the programme grows:", ""]
        lines += ["| systems | wall (s) | seconds per system |", "| --- | --- | --- |"]
        for size, run in scale["series"].items():
            lines.append(f"| {size} | {run['wall_s']:.1f} | {run['wall_s'] / int(size):.2f} |")
    if demo:
        lines += ["", "Time per rule in the last demo full build (sum over its jobs):", ""]
        lines += ["| rule | seconds |", "| --- | --- |"]
        lines += [f"| {rule} | {secs:.1f} |" for rule, secs in demo["rules_demo_full"].items()]
        lines += [
            "",
            f"The incremental case lands a re-export for `{demo['incremental_system']}`,",
            "the last system in review order.",
        ]
    if scale and scale.get("rules_largest"):
        lines += ["", "Time per rule in the largest scale build (sum over its jobs):", ""]
        lines += ["| rule | seconds |", "| --- | --- |"]
        lines += [f"| {rule} | {secs:.1f} |" for rule, secs in scale["rules_largest"].items()]
    lines += [
        "",
        "Per-rule seconds are the `s` (wall) column of Snakemake's `benchmark:` files.",
        "With the job server a job's work runs in a fork of the server, so the",
        "memory columns of those files describe only the job's small client process;",
        "the peak memory above is measured over the whole process tree instead.",
    ]
    notes = path.read_text(encoding="utf-8").partition(NOTES_MARKER)[2] if path.exists() else ""
    lines += ["", NOTES_MARKER + notes.rstrip("\n")] if notes.strip() else []
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each demo case")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--sizes", default="20,50,100,150", help="systems in the scale series")
    parser.add_argument("--responses", type=int, default=1000, help="responses per system")
    parser.add_argument("--skip-scale", action="store_true", help="only the demo cases")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args(argv)
    SCRATCH.mkdir(parents=True, exist_ok=True)
    data: dict[str, object] = {"machine": machine(), "cores": args.cores}
    data["demo"] = run_demo_cases(args.repeats, args.cores)
    if not args.skip_scale:
        sizes = [int(s) for s in args.sizes.split(",") if s]
        data["scale"] = run_scale_cases(sizes, args.responses, args.cores)
    (SCRATCH / "measurements.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    write_results(data, args.output)
    print(args.output.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
