"""The version of ``audit.json``'s shape (one place: the record type and every reader)."""

SCHEMA_VERSION = "2.0"  # 2.0: typed sections, estimate nodes everywhere, score intervals
SECTIONS = ("performance", "fairness", "privacy", "explanations", "transparency", "gates")
