"""Reading YAML: the configuration, instrument, lexicon and rules files.

Kept apart from relaudit.io (which imports pandas) so that the Snakefile can
load configuration without importing pandas.
"""

from __future__ import annotations

from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it: the same safe loading rules,
# about seven times faster (every job reads the instrument and the lexicon).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(stream: Any) -> Any:
    """Parse YAML text or an open file with the safe loader (never runs tags)."""
    return yaml.load(stream, Loader=_LOADER)
