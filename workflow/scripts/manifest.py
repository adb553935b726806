"""Snakemake adapter: write the provenance manifest R/audit/manifest.json (rule manifest)."""

from relaudit.jobserver import hand_off

# Run in the warm job server when there is one (see relaudit.jobserver).
hand_off()

import logging
import sys
from pathlib import Path

from relaudit.errors import RelauditError
from relaudit.io import write_json
from relaudit.provenance import build_manifest

logging.basicConfig(
    filename=snakemake.log[0], filemode="w", level=logging.INFO, format="%(levelname)s %(message)s"
)
log = logging.getLogger("manifest")


def files(kind: str) -> list[str]:
    value = snakemake.input.get(kind, [])
    return [value] if isinstance(value, str) else list(value)


def main() -> None:
    lock = files("lock_file")
    manifest = build_manifest(
        inputs={kind: files(kind) for kind in snakemake.params.input_kinds},
        outputs=[p for kind in snakemake.params.output_kinds for p in files(kind)],
        render_infos=files("render_info"),
        config=dict(snakemake.config),
        root=Path(snakemake.params.root),
        results_dir=Path(snakemake.params.results_dir),
        lock_file=lock[0] if lock else None,
    )
    write_json(manifest, snakemake.output.manifest)
    log.info(
        "%d input files, %d output files, %d rendered documents",
        sum(len(v) for v in manifest["inputs"].values()),
        len(manifest["outputs"]),
        len(manifest["render"]),
    )


try:
    main()
except (RelauditError, OSError) as exc:
    log.error("%s", exc)
    sys.stderr.write(f"relaudit: {exc}\n")
    sys.exit(1)
