"""What the authors of the built-in scenarios declare about their demonstration models.

These are the answers a model's owners would write in ``[transparency.declared]``; the
checklist shows them as *declared* (the tool does not verify them). Owners, contact and
license are left out on purpose: the weights belong to whoever runs the scenario, so the card
shows them as missing until that person declares them in a config.
"""

from __future__ import annotations

from auditor.config.transparency import DeclaredAnswers

_DEMO_USERS = (
    "Developers and reviewers learning auditor, and its own tests. Not end users of any product."
)

_DIGIT_IMAGES_OUT_OF_SCOPE = (
    "Any real decision, and reading handwriting from forms, cheques or scans: the model has "
    "seen only size-normalised, centred single digits from one collection."
)

DIGITS = DeclaredAnswers(
    intended_use=(
        "A demonstration of auditor: a small CNN pretrained on scikit-learn's 8x8 digits and "
        "fine-tuned to tell odd from even digits, audited end to end so that every section "
        "of the card has real numbers."
    ),
    out_of_scope_uses=_DIGIT_IMAGES_OUT_OF_SCOPE,
    users=_DEMO_USERS,
    limitations=(
        "1,797 images from 13 writers, 8x8 with 16 grey levels. The splits are by image, not "
        "by writer, so test accuracy is optimistic for a new writer's hand. About 45 test "
        "images per digit: per-digit rates carry wide intervals, and the digit x ink-density "
        "cells are too small for any verdict."
    ),
    ethical_considerations=(
        "No attribute of a person is recorded. The audited groups (the digit, the ink-density "
        "tertile) are slices that stand in for hidden stratification, not demographics; a "
        "fair result here says nothing about fairness to people."
    ),
    mitigations="None applied: this model is a demonstration and is not released.",
)

MNIST = DeclaredAnswers(
    intended_use=(
        "A demonstration of auditor on the classic recipe: the CNN of PyTorch's MNIST example "
        "pretrained on digits 0-9 and fine-tuned to tell odd from even digits."
    ),
    out_of_scope_uses=_DIGIT_IMAGES_OUT_OF_SCOPE,
    users=_DEMO_USERS,
    limitations=(
        "MNIST's writers are US Census Bureau employees and high-school students from the "
        "early 1990s; the splits are by image, not by writer. The built-in scenario uses the "
        "5,000-image sample shipped with auditor (the first 500 training images of each "
        "digit, so the digits are balanced as MNIST's are not); a configured data.root reads "
        "the full set. The audited slices are properties of the images."
    ),
    ethical_considerations=(
        "No attribute of a person is recorded; the digit and ink-density slices are not "
        "demographics, so a fair result here says nothing about fairness to people."
    ),
    mitigations="None applied: this model is a demonstration and is not released.",
)

ADULT = DeclaredAnswers(
    intended_use=(
        "A demonstration of auditor on data about people: predict whether a 1994 US census "
        "respondent's income was above $50K, to show per-group and intersectional disparities "
        "and membership-inference risk on a tabular model."
    ),
    out_of_scope_uses=(
        "Any decision about a person (credit, hiring, pay, insurance, benefits, housing) and "
        "any population other than the 1994 US census: the threshold is not adjusted for "
        "inflation and the data is three decades old."
    ),
    users=_DEMO_USERS,
    limitations=(
        "About a quarter of the rows are positive. Race is recorded in five census "
        "categories and sex as binary; the 'Other' and 'Amer-Indian-Eskimo' groups and many "
        "intersections have few positives, so their true- and false-positive rates carry "
        "wide intervals or are insufficient data."
    ),
    ethical_considerations=(
        "The data carries the income gaps of its time by sex, race and age, and the model "
        "learns them: its error rates differ between groups (see Fairness). Sex, race and "
        "age are model inputs here, as in the benchmark; the reliance check shows how much "
        "the metrics move without them."
    ),
    mitigations=(
        "None applied to the model. The fairness section previews what fairlearn's "
        "ThresholdOptimizer, fitted on the validation split, would do to the gap and to "
        "accuracy."
    ),
)

BUILTIN = {"digits": DIGITS, "mnist": MNIST, "adult": ADULT}
