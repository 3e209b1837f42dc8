"""Advice phrases the table's refusals end in, each written once: the data modules build their
messages from them, and :mod:`auditor.api._errors` words them for a Python caller. Plain text,
importing nothing: the API's error module loads with ``import auditor``, before pandas."""

DROP_IT = "add it to data.drop"
MISSING_FLAG = "data.missing_group = true"
MAX_CATEGORIES = "data.max_categories = "
RAISE_MAX_CATEGORIES = ", or raise data.max_categories"
