"""``[transparency]`` table: the answers a person declares for the model card, and the
options of the explanations and the split-disjointness check."""

from __future__ import annotations

import re
import unicodedata
from functools import cached_property
from typing import Any, Literal

from pydantic import Field, field_validator

from auditor.config._base import StrictModel


class _Lazy:
    """A regex compiled where first used: a run that reads no checklist answer (``auditor
    audit`` without a config) never compiles these (about 3 ms at every start)."""

    def __init__(self, source: str) -> None:
        self.source = source

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.source)

    def __getattr__(self, name: str) -> Any:  # match, fullmatch ...: the compiled pattern's
        return getattr(self.compiled, name)


_PLACEHOLDER = _Lazy(
    r"^(?:|tbd|tba|todo|to ?do|fixme|n\W*a|na|none|null|nil|unknown|unspecified|not sure|"
    r"-+|\.+|\?+|x+|tbc|wip|to be (?:determined|decided|confirmed|added|written|completed|"
    r"provided|filled(?: in)?)|not (?:applicable|known|yet)|pending|draft|"
    r"(?:fill|fill in|fill me|add|write|insert)(?: (?:this|me|here|in|later))*|"
    r"(?:see|same as|as) (?:above|below)|same|placeholder|coming soon|lorem(?: ipsum.*)?|"
    r"\[[^\]]*\]|\{[^}]*\}|asdf+|test|foo|bar|foobar|"
    r"https?|ftp|mailto|www|url|link|e-?mail|"
    r"your (?:name|email|answer|text)(?: here)?|example|sample text|later)$"
)
# The same filler in the languages the checklist meets most, as whole answers only: "Keine"
# (none) is filler where "Keine bekannt" (none known) answers, as "None" and "None known" do;
# "Sin datos" (no data) answers, as "No data" does. Accents optional where users drop them.
_OTHER_FILLER = _Lazy(
    # Chinese: to be decided / added / filled in / confirmed, none yet, unknown, as above, N/A
    r"^(?:待定|未定|待补充|待補充|待填写|待填寫|待完善|待确认|待確認|暂无|暫無|暂缺|暫缺|没有|沒有|"
    r"未知|不详|不詳|同上|见上|見上|不适用|不適用|"
    # Japanese: none, not filled in, to be confirmed, unknown, N/A, in preparation
    r"なし|無し|未記入|記入予定|後で記入|要確認|確認中|未確認|不明|該当なし|準備中|"
    # Korean: undecided, none, N/A, to be written later; Thai: none, unknown, not yet given
    r"미정|없음|미기재|해당 ?없음|추후 ?(?:작성|기재|입력)|작성 ?예정|ไม่มี|ไม่ทราบ|ยังไม่ระบุ|"
    # German: none, no statement, unknown, not applicable, still open, see above, draft
    r"kein(?:e[rs]?)?|k\. ?a|keine angaben?|unbekannt|nicht (?:bekannt|zutreffend|anwendbar)|"
    r"noch (?:offen|nicht|zu (?:ergänzen|klären|definieren))|zu ergänzen|folgt|ausstehend|"
    r"wird (?:ergänzt|nachgereicht)|in arbeit|entfällt|(?:siehe|wie) oben|platzhalter|entwurf|"
    r"n\. ?v|"
    # French: none, nil, to be completed / defined, pending, unknown, N/A, see above, draft
    r"aucune?|n[ée]ant|inconnue?|[àa] (?:compl[ée]ter|d[ée]finir|d[ée]terminer|confirmer|"
    r"pr[ée]ciser|remplir|venir|faire)|en attente|en cours|sans objet|voir ci-dessus|idem|"
    r"non (?:applicable|renseign[ée]e?|communiqu[ée]e?|d[ée]fini|connu)|brouillon|"
    # Spanish and Portuguese: none, to be defined, pending, unknown, N/A, draft
    r"ning[uú]n[oa]?|nenhum[a]?|(?:por|a) (?:definir|determinar|confirmar|completar|rellenar|"
    r"preencher)|pendiente|pendente|desconocid[oa]|desconhecid[oa]|no aplica|no aplicable|"
    r"n[ãa]o se aplica|n[ãa]o aplic[áa]vel|ver (?:arriba|acima)|borrador|rascunho|sin definir|"
    # Italian: none, to be defined, unknown, N/A, see above; Russian: unknown, not defined (a
    # bare "нет", no, answers, as "No" and "Nein" do)
    r"nessun[oa]?|da (?:definire|determinare|completare|compilare|confermare)|sconosciut[oa]|"
    r"non applicabile|vedi sopra|неизвестно|не известно|не определено|уточняется|"
    r"см\.? выше|н/д|н/а)$"
)
# A leading marker says the text is not written yet where a mark follows it ("TODO: write the
# intended use", "TBD - ask legal", "TODO(owner)", "TODO/TBD"), or words of the work still to
# come (_NOT_YET: "TODO ask legal", "TBD by Friday", "TODO #12"), or filler ("TODO later"); other
# words after it are a name ("TODO list app", "Todo.txt", "XXX Corp", "TBD Bank"). "to do" is
# left out ("To do sentiment analysis of ...").
_MARKERS = r"tbd|tba|tbc|todo|fixme|xxx+|wip"
_MARKER = _Lazy(
    rf"^(?P<marker>{_MARKERS})"
    rf"(?:(?: ?[:(\[{{]| ?[^\w\s'’]+(?= |$)|[^\w\s'’]+(?:{_MARKERS})\b).*| (?P<rest>.+))?$"
)
_WHEN = (
    r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?|jan(?:uary)?|"
    r"feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|q[1-4]|\d[\d/.-]*|end|next|tomorrow|today|eo[dwmq]"
)
# What may follow a date ("May 3rd, 2027", "next week", "end of the month", "Monday morning");
# a name may not ("by May Chen", "by Sun Microsystems", "by end users").
_THEN_WHEN = (
    r"(?: (?:\d[\d/.-]*(?:st|nd|rd|th)?,?|of|the|this|week|month|quarter|year|sprint|release|"
    r"morning|noon|afternoon|evening|night|q[1-4]))*$"
)
# The words after a marker that say the work is still to come: the one list of them.
_NOT_YET = _Lazy(
    rf"^(?:(?:fill|add|write|update|ask|check|confirm|later|soon|pending|#\d+)\b|"
    rf"by (?:{_WHEN}){_THEN_WHEN})"
)
# "n/a", "none" or "not applicable", then more filler ("N/A - not applicable", "n/a, see above").
_NA_THEN = _Lazy(r"^(?:n\W*a|na|none|nil|not applicable)\b\W*(?P<rest>.+)$")
# "Intended use: TBD": a short label, then filler.
_LABELLED = _Lazy(r"^[^\W\d_][\w ()/-]{0,40}: (.+)$")
# A bare link or address: its host, where the text is one (a scheme, www. or an @ says so).
_LINK = _Lazy(
    r"^(?:[a-z][a-z0-9+.-]*:(?://)?|www\.)?(?:[^@\s/]+@)?(?P<host>[^\s/:?#@]+)(?::\d+)?"
    r"(?:[/?#]\S*)?$"
)
# Hosts that lead nowhere: RFC 2606 / 6761 reserved names, this machine, a template's domain,
# a marker ("https://TODO").
_NOWHERE = _Lazy(
    r"^(?:.*\.)?(?:example(?:\.com|\.org|\.net)?|test|invalid|localhost)$|^(?:127\.\d+\.\d+\.\d+|"
    r"0\.0\.0\.0)$|^(?:.*\.)?your-?(?:company|domain|org|organi[sz]ation|team|site)\.[a-z]+$|"
    rf"^(?:{_MARKERS})$"
)
# A template's slot ("<your name>", "<name/email>"); a link or address in <> is no slot.
_SLOT = _Lazy(r"<([^<>]*)>")
# A slot's hint: words ("<your name>", "<team name / contact>", "<name: here>"), no mark of a
# link or address or dot ("<owner>"), a part left empty ("<owner@>", "<https://>").
_HINT = _Lazy(r".* .*|[^@:/.]*|.*[@:]/*")


def _normal(text: str) -> str:
    """``text`` as compared: NFKC, invisible characters (zero-width, controls) as spaces,
    whitespace runs as one space, lower case."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if unicodedata.category(c) in ("Cf", "Cc") else c for c in text)
    return re.sub(r"\s+", " ", text).strip().lower()


def _bare(norm: str) -> str:
    """``norm`` without the punctuation, quotes and marks around it ("*TODO*" -> "todo")."""
    start = next((i for i, c in enumerate(norm) if c.isalnum()), len(norm))
    end = next((i for i in range(len(norm), 0, -1) if norm[i - 1].isalnum()), start)
    return norm[start:end]


def _leads_nowhere(text: str) -> bool:
    """A bare link or address whose host is reserved ("https://example.com", "a@b.test",
    "see example.com"); without a scheme, @ or www. the host needs a dot ("example.org")."""
    text = text.removeprefix("see ")
    link = None if " " in text else _LINK.fullmatch(text)
    if link is None:
        return False
    host = link.group("host").rstrip(".")
    said = "://" in text or "@" in text or text.startswith(("www.", "mailto:")) or "." in host
    return said and bool(_NOWHERE.fullmatch(host))


def _slot(text: str) -> bool:
    """Whether ``text`` is a template's slot in <>: its hint is words, or one word ("<name>",
    "<name/email>"), or leaves a part empty ("<owner@>"). A link or address in <> has the
    verdict it has without them ("<https://wiki/ml>", "<ml-team@acme.com>": answers)."""
    slot = _SLOT.fullmatch(text)
    if slot is None:
        return False
    hint = slot.group(1)
    if _HINT.fullmatch(hint):
        return True
    link = _LINK.fullmatch(hint)  # a bare host with no scheme, @ or dot is a word
    said = "://" in hint or "@" in hint or hint.startswith("www.")
    return link is not None and not said and "." not in link.group("host").strip(".")


def _filler(norm: str) -> bool:
    """Whether the normalised text ``norm`` is stock filler or starts with a marker that
    says it is not written yet (its length aside)."""
    bare = _bare(norm)
    kept = norm.strip(" .:;!")
    if not bare or _slot(kept) or any(pattern.fullmatch(text) for pattern in
                                      (_PLACEHOLDER, _OTHER_FILLER) for text in (kept, bare)):
        return True
    marker = _MARKER.match(bare)
    rest = marker and marker.group("rest")
    if marker and (rest is None or _NOT_YET.match(rest) or _filler(rest)):
        return True
    na_then = _NA_THEN.match(bare)
    if na_then and _filler(na_then.group("rest")):
        return True
    return _leads_nowhere(norm.strip(" .;!<>"))


def is_placeholder(text: str | None) -> bool:
    """True for None, empty, or filler text ('TBD', 'TODO: later', 'n.a.', '<your name>',
    '...', zero-width spaces, a link to example.com) and one-character answers; a real
    answer that merely starts with a marker word ('TODO list app', 'XXX Corp') is not."""
    if text is None:
        return True
    norm = _normal(text)
    if len(re.sub(r"[\s.:;!]", "", norm)) < 2 or _filler(norm):
        return True
    labelled = _LABELLED.fullmatch(norm)
    if labelled is None:
        return False
    answer = labelled.group(1)  # after a label, one character may answer ("Grade: A"), not "X"
    return _filler(answer)


def same_text(a: str | None, b: str | None) -> bool:
    """Whether two answers are the same text, case, spacing and marks around it aside."""
    return a is not None and b is not None and _bare(_normal(a)) == _bare(_normal(b))


# Checklist item ids a user may mark not applicable (with a reason) in config.
CHECKLIST_IDS = (
    "data_provenance", "split_disjointness", "data_license", "seeds", "software_environment",
    "training_recipe", "parameter_count", "performance_evaluated", "fairness_coverage",
    "privacy_probes", "explanations", "intended_use", "out_of_scope_uses", "users",
    "limitations", "ethical_considerations", "mitigations", "owners", "contact", "license",
)  # fmt: skip


class DeclaredAnswers(StrictModel):
    """Free-text answers. Empty or placeholder text counts as missing, never as met."""

    model_name: str | None = None
    intended_use: str | None = None
    out_of_scope_uses: str | None = None
    users: str | None = None
    limitations: str | None = None
    ethical_considerations: str | None = None
    mitigations: str | None = None
    owners: str | None = None
    contact: str | None = None
    license: str | None = None


class TransparencyConfig(StrictModel):
    enabled: bool = True
    explanations: bool = True
    # Integrated Gradients examples per class (image models), correct and misclassified.
    examples_per_class: int = Field(2, ge=0, le=20)
    # Integrated Gradients interpolation steps (Riemann trapezoid), and the rows attributed
    # for the global maps and per-group importances.
    ig_steps: int = Field(32, ge=4, le=512)
    max_attribution_rows: int = Field(512, ge=10)
    # Permutations per sensitive feature in the reliance check (tables).
    reliance_repeats: int = Field(5, ge=1, le=100)
    # Identical inputs in a training and an evaluation split: "fail"; or "report" (counted,
    # shown as a warning). "auto": fail for images (the same image), report for tables,
    # where distinct records often share one feature vector. A shared source row id always fails.
    content_overlap: Literal["auto", "fail", "report"] = "auto"
    declared: DeclaredAnswers = DeclaredAnswers()
    # Checklist items that do not apply to this model, each with the reason shown in the card.
    not_applicable: dict[str, str] = Field(default_factory=dict)

    @field_validator("not_applicable")
    @classmethod
    def _known_ids(cls, value: dict[str, str]) -> dict[str, str]:
        for key, reason in value.items():
            if key not in CHECKLIST_IDS:
                raise ValueError(
                    f"unknown checklist item {key!r}; known: {', '.join(CHECKLIST_IDS)}"
                )
            if is_placeholder(reason):
                raise ValueError(
                    f"checklist item {key!r} needs a reason to be not applicable, "
                    f"not {reason.strip()!r}"
                )
        return value
