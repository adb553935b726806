"""relaudit: reproducible report pipeline for relational audits."""

__version__ = "0.1.0"
