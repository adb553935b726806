"""relaudit.schemas: the JSON schemas (YAML), shipped as package data (see relaudit.resources)."""
