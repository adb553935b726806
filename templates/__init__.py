"""relaudit.templates: the document templates, shipped as package data (see relaudit.resources)."""
