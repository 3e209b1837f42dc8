"""The transparency section's counts read back (:mod:`auditor.record.transparency_counts`): a
checklist summary apart from its items, or a split pair's overlap past its evaluation rows,
was shown by the card; each is refused: exit 2, one line naming the file and the field,
nothing written."""

from __future__ import annotations

import json

import pytest

from tests.record._edits import assert_refused, set_at, write_edited

SUMMARY = ("transparency", "summary")
PAIR = ("transparency", "disjointness", "pairs", 0)  # pretrain against test: 445 rows


@pytest.mark.parametrize(
    ("keys", "value", "field", "words"),
    [
        ((*SUMMARY, "met"), 20, "summary/met",
         "20 is not the number of items of status 'met' in transparency/items"),
        ((*SUMMARY, "missing"), 0, "summary/missing", "of status 'missing'"),
        ((*SUMMARY, "n_items"), 10**15, "summary/n_items",
         "is not the number of items in transparency/items (20)"),
        ((*PAIR, "n_content_overlap"), 10**15, "pairs/0/n_content_overlap",
         "is not a count between 0 and n_eval_rows (445)"),
        ((*PAIR, "n_id_overlap"), -1, "pairs/0/n_id_overlap", "-1 is not a count between 0"),
        ((*PAIR, "n_eval_rows"), -3, "pairs/0/n_eval_rows", "-3 is outside [0, inf]"),
        ((*PAIR, "shared_ids"), [7], "pairs/0/shared_ids",
         "lists 1 shared ids, more than n_id_overlap (0)"),
    ],
)  # fmt: skip
def test_transparency_counts_apart_from_the_items_are_refused(privacy_audit, tmp_path, keys,
                                                              value, field, words):  # fmt: skip
    audit = json.loads(privacy_audit.read_text())
    set_at(audit, keys, value)
    assert_refused(write_edited(audit, tmp_path), privacy_audit, tmp_path, field, words)
