"""The search language shared by the inbox search field and ``assises list --search``.

Free words are folded (case and accents ignored) and looked up in subject, sender, body and
attachment text; ``"quoted phrases"`` must appear as consecutive words; ``-word`` and
``-field:value`` exclude; ``field:value`` filters on metadata. Every term is ANDed.

:func:`parse_query` never raises: the user is typing, so an unknown field or a bad value
becomes a French sentence in :attr:`Query.errors` and the faulty term is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assises_tui.domain.models import CATEGORY_LABELS, STATUS_LABELS, Status
from assises_tui.text.fold import fold, tokens

if TYPE_CHECKING:
    from assises_tui.config import Consultation

#: Canonical field names, then French (and short) aliases typed by prefecture staff.
FIELDS = (
    "id",
    "from",
    "subject",
    "theme",
    "status",
    "late",
    "has",
    "assignee",
    "cluster",
    "category",
    "department",
)
ALIASES = {
    "departement": "department",
    "dep": "department",
    "de": "from",
    "expediteur": "from",
    "sender": "from",
    "objet": "subject",
    "sujet": "subject",
    "themes": "theme",
    "statut": "status",
    "retard": "late",
    "avec": "has",
    "a": "has",
    "assigne": "assignee",
    "attribue": "assignee",
    "pour": "assignee",
    "groupe": "cluster",
    "categorie": "category",
    "cat": "category",
    "no": "id",
    "num": "id",
    "numero": "id",
}

YES = frozenset({"yes", "oui", "o", "y", "true", "vrai", "1"})
NO = frozenset({"no", "non", "n", "false", "faux", "0"})
#: ``has:`` values (folded) → the canonical feature.
HAS_VALUES = {
    "attachment": "attachment",
    "attachments": "attachment",
    "pj": "attachment",
    "piece": "attachment",
    "pieces": "attachment",
    "piece-jointe": "attachment",
    "pieces-jointes": "attachment",
    "fichier": "attachment",
    "note": "note",
    "notes": "note",
    "excerpt": "excerpt",
    "excerpts": "excerpt",
    "extrait": "excerpt",
    "extraits": "excerpt",
    "theme": "theme",
    "themes": "theme",
    "assignee": "assignee",
    "assigne": "assignee",
}
ME = frozenset({"me", "moi"})
NONE = frozenset({"none", "aucun", "aucune", "personne", "sans", "vide"})

_FIELD_PREFIX = re.compile(r"([^\W\d_]+):")
_SEPARATORS = re.compile(r"[\s_-]+")


@dataclass(frozen=True)
class Term:
    """One ANDed condition.

    ``field`` is None for free text: ``words`` then holds its folded tokens; several tokens
    ("plainte en ligne", or l'Allier) make a phrase, to be found as consecutive words. For a
    field, ``values`` holds the parsed values.
    """

    field: str | None
    raw: str
    negated: bool = False
    words: tuple[str, ...] = ()
    phrase: bool = False
    prefix: bool = False  # last word still being typed: match words starting with it
    values: tuple[Any, ...] = ()

    @property
    def is_text(self) -> bool:
        return self.field is None


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[Term, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.terms

    @property
    def text_terms(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.is_text)

    @property
    def field_terms(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.is_text)

    def __and__(self, other: Query) -> Query:
        """Both queries at once (the CLI combines --status, --theme… with --search)."""
        text = " ".join(t for t in (self.text, other.text) if t)
        return Query(text, self.terms + other.terms, self.errors + other.errors)


@dataclass
class _Chunk:
    negated: bool
    field: str | None
    value: str
    quoted: bool
    closed: bool = True
    raw: str = ""


def _chunks(text: str) -> list[_Chunk]:
    """Split on whitespace, keeping "quoted values" together (an open quote runs to the end)."""
    out: list[_Chunk] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        if negated:
            i += 1
        name = None
        m = _FIELD_PREFIX.match(text, i)
        if m:
            name = m.group(1)
            i = m.end()
        if i < n and text[i] == '"':
            j = text.find('"', i + 1)
            closed = j >= 0
            j = j if closed else n
            chunk = _Chunk(negated, name, text[i + 1 : j], True, closed)
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace():
                j += 1
            chunk = _Chunk(negated, name, text[i:j], False)
            i = j
        chunk.raw = text[start:i]
        out.append(chunk)
    return out


def _split_values(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _key(value: str) -> str:
    """Folded form with spaces, dashes and underscores unified ("En cours" → "en_cours")."""
    return _SEPARATORS.sub("_", fold(value).strip())


_STATUS_NAMES: dict[str, Status] = {}
for _status in Status:
    _STATUS_NAMES[_status.value] = _status
    _STATUS_NAMES[_key(STATUS_LABELS[_status])] = _status
_STATUS_NAMES.update({"traites": Status.DONE, "nouveaux": Status.NEW, "doublons": Status.DUPLICATE})
_CATEGORY_NAMES = {k: k for k in CATEGORY_LABELS}
_CATEGORY_NAMES.update({_key(v): k for k, v in CATEGORY_LABELS.items()})


def _by_name(value: str, names: dict[str, Any]) -> Any | None:
    """Exact name, else a prefix naming one thing only (so "status:trai" works while typing)."""
    key = _key(value)
    if key in names:
        return names[key]
    found = {v for k, v in names.items() if k.startswith(key)} if key else set()
    return found.pop() if len(found) == 1 else None


def _ids(values: list[str]) -> tuple[tuple[int, int], ...] | None:
    """``42`` or ``10-20`` → inclusive ranges; None when one value is not a number."""
    out = []
    for v in values:
        lo, sep, hi = v.partition("-")
        try:
            a = int(lo.lstrip("nN°#"))
            b = int(hi) if sep else a
        except ValueError:
            return None
        if a < 0 or b < a:
            return None
        out.append((a, b))
    return tuple(out)


def _field_term(chunk: _Chunk, name: str, errors: list[str]) -> Term | None:
    raw, value = chunk.raw, chunk.value.strip()
    values = _split_values(value)
    if not values:
        errors.append(f"Valeur manquante après « {chunk.field}: ».")
        return None

    def term(*parsed: Any) -> Term:
        return Term(name, raw, chunk.negated, values=tuple(parsed))

    if name == "id":
        ranges = _ids(values)
        if ranges is None:
            errors.append(
                f"« id: » attend des numéros (id:42, id:42,57 ou id:10-20), pas « {value} »."
            )
            return None
        return term(*ranges)
    if name in ("from", "subject"):
        return term(fold(value).strip())
    if name == "theme":
        return term(*(fold(v).strip() for v in values))
    if name == "status":
        found = [_by_name(v, _STATUS_NAMES) for v in values]
        bad = [v for v, s in zip(values, found, strict=True) if s is None]
        if bad:
            labels = ", ".join(s.label.lower() for s in Status)
            errors.append(f"Statut inconnu « {bad[0]} » (statuts : {labels}).")
            return None
        return term(*found)
    if name == "late":
        v = _key(value)
        if v in YES or v in NO:
            return term(v in YES)
        errors.append(f"« late: » attend oui ou non, pas « {value} ».")
        return None
    if name == "has":
        found = [HAS_VALUES.get(_key(v).replace("_", "-")) for v in values]
        if None in found:
            errors.append(
                f"« has: » attend attachment (ou pj), note, excerpt (ou extrait), theme ou "
                f"assignee, pas « {value} »."
            )
            return None
        return term(*found)
    if name == "assignee":
        out = []
        for v in values:
            k = _key(v)
            out.append("@me" if k in ME else "" if k in NONE else fold(v).strip())
        return term(*out)
    if name == "cluster":
        out_c: list[int | None] = []
        for v in values:
            if _key(v) in NONE:
                out_c.append(None)
                continue
            try:
                out_c.append(int(v.lstrip("#")))
            except ValueError:
                errors.append(f"« cluster: » attend un numéro de groupe, pas « {v} ».")
                return None
        return term(*out_c)
    if name == "category":
        out_k = []
        for v in values:
            k = "" if _key(v) in NONE else _by_name(v, _CATEGORY_NAMES)
            if k is None:
                labels = ", ".join(c.lower() for c in CATEGORY_LABELS.values())
                errors.append(f"Catégorie inconnue « {v} » (catégories : {labels}, aucune).")
                return None
            out_k.append(k)
        return term(*out_k)
    if name == "department":  # a national roll-up: the département's name or number
        return term(*(fold(v).strip() for v in values))
    raise AssertionError(name)  # pragma: no cover - FIELDS and this function go together


def resolve_themes(
    values: tuple[str, ...], config: Consultation
) -> tuple[frozenset[str], list[str]]:
    """Theme keys named by ``theme:`` values (folded): key, label or a prefix of either.

    ``theme/sous-theme`` names one sub-theme (its part after the slash is kept as typed).
    The empty string stands for "no theme" (``theme:aucun``). Returns (keys, errors).
    """
    keys: set[str] = set()
    errors: list[str] = []
    for v in values:
        if _key(v) in NONE:
            keys.add("")
            continue
        root, slash, sub = v.partition("/")
        k = _key(root)
        exact = [t.key for t in config.themes if t.key == root or _key(t.label) == k]
        match = exact or [
            t.key
            for t in config.themes
            if t.key.startswith(root) or _key(t.label).startswith(k) or _key(t.key) == k
        ]
        if not match:
            names = ", ".join(t.key for t in config.themes)
            errors.append(f"Thème inconnu « {v} » (thèmes : {names}, aucun).")
        keys.update(f"{m}/{sub}" if slash else m for m in match)
    return frozenset(keys), errors


def parse_query(
    text: str, config: Consultation | None = None, *, prefix_last: bool = True
) -> Query:
    """Parse what the user typed. Never raises.

    ``prefix_last``: the last free word, when not followed by a space, matches every word
    starting with it (search as you type). ``config``: also check ``theme:`` values.
    """
    text = text or ""
    errors: list[str] = []
    terms: list[Term] = []
    chunks = _chunks(text)
    for n, chunk in enumerate(chunks):
        if chunk.field is not None:
            name = ALIASES.get(_key(chunk.field), _key(chunk.field))
            if name not in FIELDS:
                errors.append(f"Champ inconnu « {chunk.field}: » (champs : {', '.join(FIELDS)}).")
                continue
            term = _field_term(chunk, name, errors)
            if term is not None and name == "theme" and config is not None:
                _keys, theme_errors = resolve_themes(term.values, config)
                errors.extend(theme_errors)
            if term is not None:
                terms.append(term)
            continue
        words = tuple(tokens(chunk.value))
        if not words:
            continue
        is_last = n == len(chunks) - 1 and not text[-1].isspace()
        prefix = (
            prefix_last and is_last and not chunk.quoted and not chunk.negated and len(words) == 1
        )
        phrase = len(words) > 1  # a quoted single word is an exact word: no phrase check
        terms.append(Term(None, chunk.raw, chunk.negated, words, phrase, prefix))
    return Query(text, tuple(terms), tuple(errors))


__all__ = ["FIELDS", "Query", "Term", "parse_query", "resolve_themes"]
