"""The typed shape of ``audit.json``: one frozen model per section.

A check returns one of these; ``audit.json`` is their serialisation
(:func:`auditor.results.dump`) and its JSON Schema is generated from them
(:func:`auditor.record.audit_schema`), never written by hand.
"""

from auditor.results._base import Estimate, NotRun, Result, dump, plain

__all__ = ["Estimate", "NotRun", "Result", "dump", "plain"]
