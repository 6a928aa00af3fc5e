"""Detection and masking of personal data in free text (drafts, exports, archives).

Finds e-mail addresses, French phone numbers, postal addresses (street lines and
"postcode + commune") and the names of senders known to the store. It is deliberately
conservative on surnames alone: a surname is reported only when it is written with a
capital, is long enough and is not an ordinary French word (Petit, Blanc, Roux…),
because a check that cries wolf on every "Petit" gets ignored.

No Textual, no I/O: reusable by the export check and by a later pseudonymisation feature.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from assises_tui.text.fold import fold
from assises_tui.text.lines import line_of, line_starts

KIND_LABELS: dict[str, str] = {
    "email": "adresse électronique",
    "phone": "numéro de téléphone",
    "address": "adresse postale",
    "postcode": "code postal et commune",
    "name": "nom d'expéditeur",
}

MASKS: dict[str, str] = {
    "email": "[courriel masqué]",
    "phone": "[téléphone masqué]",
    "address": "[adresse masquée]",
    "postcode": "[adresse masquée]",
    "name": "[nom masqué]",
}

# Priority when two findings overlap: the more specific kind wins.
_PRIORITY = {"email": 0, "phone": 1, "address": 2, "postcode": 3, "name": 4}


@dataclass(frozen=True)
class Finding:
    kind: str  # email | phone | address | postcode | name
    start: int  # character offsets into the checked text
    end: int
    text: str
    line: int  # 1-based line of ``start``

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def id(self) -> str:
        """Stable identifier of this finding's exact text (not its position).

        Accepting a finding therefore holds for that exact text wherever it moves in the
        draft, and stops holding as soon as the text changes.
        """
        return finding_id(self.kind, self.text)


def finding_id(kind: str, text: str) -> str:
    digest = hashlib.sha256(f"{kind}\0{' '.join(text.split())}".encode()).hexdigest()
    return f"{kind}-{digest[:10]}"


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")

# +33 6 12 34 56 78, +33 (0)6 12 34 56 78, 0033 6…, 06 12 34 56 78, 06.12.34.56.78, 0612345678
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?33\s?(?:\(0\)\s?)?|0)[1-9](?:[ .\-\u00a0]?\d{2}){4}(?!\d)"
)

_STREET_WORDS = (
    r"rue|avenue|av\.|boulevard|bd|bld|chemin|che\.|allée|allee|impasse|imp\.|place|pl\.|route|"
    r"rte|quai|cours|square|faubourg|fbg|chaussée|passage|rond-point|voie|hameau|lieu-dit|"
    r"résidence|residence|sentier|promenade|esplanade|cité|cite|lotissement|montée|ruelle|"
    r"venelle|villa|domaine"
)
# "12 rue des Lilas", "3 bis, avenue de la Gare", "145 bd Gambetta", "2 rue du 8 Mai 1945":
# the street's name is its capitalised words (and numbers) with their particles; the first
# word may be lower case ("12 rue des lilas"). It stops at the first other word, so the
# rest of the citizen's sentence ("… à Moulins et je propose…") is never masked with it.
_PARTICLE = r"(?i:de\s+la|de\s+l['’]|du|des|de|la|le|les|l['’]|d['’]|aux|au)"
_NAME_WORD = r"[A-ZÉÈÊÀÂÎÔÛÇ0-9][\w'’]*(?:-[\w'’]+)*"
_ADDRESS = re.compile(
    rf"(?<!\d)\d{{1,4}}(?:\s?(?i:bis|ter|quater|[abt])\b)?,?\s+(?i:{_STREET_WORDS})\s+"
    rf"(?:{_PARTICLE}\s*)?(?:{_NAME_WORD}|[a-zàâäéèêëîïôöùûüç][\w'’]*(?:-[\w'’]+)*)"
    rf"(?:[ \t]+(?:{_PARTICLE}[ \t]+)?{_NAME_WORD})*"
)
# "03100 Montluçon", "03000 MOULINS", "03200 Vichy Cedex"; departments 01-98, Corsica 2A/2B.
_POSTCODE = re.compile(
    r"(?<![\d,.])(?:0[1-9]|[1-8]\d|9[0-8]|2[AB])\d{3}\s+"
    r"(?:[A-ZÉÈÊÀÂÎÔÛÇ][\w'’\-]*(?:[ \-](?:[A-ZÉÈÊÀÂÎÔÛÇ][\w'’\-]*|sur|sous|en|le|la|les|de|du|"
    r"des|l'|d'|aux))*)"
)

# Words that are also common surnames: never reported on their own (only as a full name).
COMMON_WORDS = frozenset(
    fold(w)
    for w in """
    petit grand blanc noir roux brun leblanc lenoir lebrun martin bernard thomas robert richard
    simon michel laurent vincent nicolas henry henri francois pierre paul jean louis marie
    david daniel rousseau fontaine mercier boucher chevalier meunier berger masson marchand
    lefevre fournier girard faure roche roy leroy morel moulin moulins garnier dupont dubois
    durand moreau lambert bonnet france gendarme maire police justice sapin rose violette
    page marin marchal boulanger charpentier clement clément mallet barbier carpentier lacroix
    leclerc perrin dumont riviere rivière benoit gauthier caron renard picard roger bertrand
    jacques fabre colin vidal rey meyer lemaire joly giraud aubert royer bailly maillard
    dupuis collin brunet bouvier prevost chauvin adam lucas bruno guerin muller martinez
    poirier perrot olivier prince pasquier baron marechal maréchal lebon bon bonhomme lamy
    sauvage besson bailly lejeune jeune vieux lefort fort lecomte comte duc marquis baron
    mairie commune conseil citoyen citoyenne association madame monsieur mademoiselle
    cordialement bonjour merci salutations gendarmerie commissariat prefecture préfecture
    allier vichy montlucon montluçon gannat cusset yzeure commentry
    """.split()
)


# A word: letters, with inner hyphens/apostrophes ("Jean-Marc", "N'Diaye"), no trailing ones.
_NAME_TOKEN = re.compile(r"[^\W\d_](?:[^\W_]|['’\-](?=[^\W\d_]))*")
_TITLES = frozenset({"m", "mme", "mlle", "mr", "dr", "me", "monsieur", "madame", "mademoiselle"})


def _name_parts(name: str) -> list[str]:
    # "DUPONT Jean-Marc", "Jean-Marc Dupont", "M. Jean Dupont" → words without titles
    return [t for t in _NAME_TOKEN.findall(name) if fold(t) not in _TITLES]


class NameIndex:
    """Sender names as folded word sequences, looked up word by word (no regex per name:
    a store may hold tens of thousands of senders)."""

    def __init__(self, known_names: Iterable[str], ignore: Iterable[str] = ()) -> None:
        """``ignore``: words never reported as a surname alone (communes of the store…)."""
        ignored = {fold(w) for text in ignore for w in _NAME_TOKEN.findall(text or "")}
        self.full: set[tuple[str, ...]] = set()
        self.surnames: set[str] = set()
        self.longest = 0
        for raw in known_names:
            parts = [fold(p) for p in _name_parts(raw or "")]
            if len(parts) >= 2:
                self.full.add(tuple(parts))
                self.full.add(tuple(parts[-1:] + parts[:-1]))  # "DUPONT Jean"
                self.longest = max(self.longest, len(parts))
            if parts:
                surname = parts[-1]
                # A surname alone is only a finding when it is distinctive.
                if len(surname) >= 4 and surname not in COMMON_WORDS and surname not in ignored:
                    self.surnames.add(surname)

    def find(self, text: str) -> list[tuple[int, int]]:
        if not self.full and not self.surnames:
            return []
        words = [(m.start(), m.end(), fold(m.group())) for m in _NAME_TOKEN.finditer(text)]
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(words):
            matched = 0
            for k in range(min(self.longest, len(words) - i), 1, -1):
                seq = words[i : i + k]
                gaps_blank = all(not text[seq[j][1] : seq[j + 1][0]].strip() for j in range(k - 1))
                if gaps_blank and tuple(w[2] for w in seq) in self.full:
                    spans.append((seq[0][0], seq[-1][1]))
                    matched = k
                    break
            if matched:
                i += matched
                continue
            start, end, folded = words[i]
            # Capitalised only: "Dupont" is a name, "dupont" inside a URL or a word is not.
            if folded in self.surnames and text[start].isupper():
                spans.append((start, end))
            i += 1
        return spans


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Unicode's format characters (category Cf, Unicode 14): checked in one pass first.
_FORMAT = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]"
)


@functools.lru_cache(maxsize=8192)
def _shown(char: str) -> str:
    return "" if unicodedata.category(char) == "Cf" else unicodedata.normalize("NFKC", char)


class _AsRead:
    """``text`` as a reader sees it once rendered: format characters (zero-width spaces
    and joiners, soft hyphens, bidi marks: category Cf) removed and compatibility forms
    folded (NFKC: fullwidth ``０６`` and ``＠``, non-breaking spaces), with the way back
    to offsets in ``text``.

    An address split by a zero-width space, copied from a Word or Outlook mail, is an
    address: the published document shows it whole once the invisible character is
    dropped, so it is looked for in this form.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        #: (offset in the shown text, offset in ``text``, length shown) of each change.
        self.changes: list[tuple[int, int, int]] = []
        if text.isascii() or (unicodedata.is_normalized("NFKC", text) and not _FORMAT.search(text)):
            return
        pieces: list[str] = []
        pos = shown_len = 0
        for found in _NON_ASCII.finditer(text):
            char = found.group()
            shown = _shown(char)
            if shown == char:
                continue
            i = found.start()
            pieces.append(text[pos:i])
            shown_len += i - pos
            self.changes.append((shown_len, i, len(shown)))
            pieces.append(shown)
            shown_len += len(shown)
            pos = i + 1
        pieces.append(text[pos:])
        self.text = "".join(pieces)
        self._keys = [c[0] for c in self.changes]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Where ``shown[start:end]`` comes from in the original text."""
        if not self.changes:
            return start, end
        return self._origin(start, False), self._origin(end - 1, True)

    def _origin(self, offset: int, after: bool) -> int:
        k = bisect.bisect_right(self._keys, offset) - 1
        if k < 0:
            return offset + after
        at, origin, length = self.changes[k]
        if offset < at + length:  # inside a replacement: the whole original character
            return origin + after
        return origin + 1 + (offset - at - length) + after


def as_read(text: str) -> str:
    """``text`` as a reader sees it (see :class:`_AsRead`)."""
    return _AsRead(text).text


def find_personal_data(
    text: str,
    known_names: Iterable[str] | NameIndex = (),
    *,
    allowed: Iterable[str] = (),
    also_words: Iterable[str] = (),
) -> list[Finding]:
    """Every piece of personal data found in ``text``, in order, without overlaps.

    ``known_names``: sender names from the store (full name matched in either order; the
    surname alone when distinctive and capitalised), or a prebuilt :class:`NameIndex` when
    checking many texts against the same senders. ``allowed``: texts never reported
    (e.g. the consultation's own institutional mailbox), compared case-insensitively.
    ``also_words``: extra words reported as names when capitalised — e.g. the sender's own
    first name in their message ("Cordialement, Agnès"), too common to look for everywhere.
    """
    original = text
    shown = _AsRead(text)  # found on what a reader sees
    text = shown.text
    allowed_folded = {fold(a).strip() for a in allowed if a}
    raw: list[tuple[str, int, int]] = []
    for kind, pattern in (
        ("email", _EMAIL),
        ("phone", _PHONE),
        ("address", _ADDRESS),
        ("postcode", _POSTCODE),
    ):
        for m in pattern.finditer(text):
            raw.append((kind, m.start(), m.end()))
    index = known_names if isinstance(known_names, NameIndex) else NameIndex(known_names)
    for start, end in index.find(text):
        raw.append(("name", start, end))
    extra = {fold(w) for word in also_words for w in _NAME_TOKEN.findall(word or "")}
    if extra:
        for m in _NAME_TOKEN.finditer(text):
            if m.group()[0].isupper() and fold(m.group()) in extra:
                raw.append(("name", m.start(), m.end()))
    # Longest and most specific first. A finding overlapping kept ones is merged into them
    # (the union keeps the most specific kind): dropping it could leave part of it visible,
    # e.g. the surname after an address match that ran into "Jean".
    spans: list[list] = []  # [kind, start, end]
    for kind, start, end in sorted(raw, key=lambda r: (_PRIORITY[r[0]], -(r[2] - r[1]))):
        piece = text[start:end].rstrip()
        end = start + len(piece)
        if not piece or fold(piece).strip() in allowed_folded:
            continue
        overlapping = [sp for sp in spans if start < sp[2] and sp[1] < end]
        if not overlapping:
            spans.append([kind, start, end])
            continue
        first = min(overlapping, key=lambda sp: _PRIORITY[sp[0]])
        spans = [sp for sp in spans if sp not in overlapping]
        spans.append(
            [
                first[0],
                min(start, *(sp[1] for sp in overlapping)),
                max(end, *(sp[2] for sp in overlapping)),
            ]
        )
    spans = [[k, *shown.span(a, b)] for k, a, b in spans]  # back to ``original``
    starts = line_starts(original)
    kept = [Finding(k, a, b, original[a:b], line_of(starts, a)) for k, a, b in spans]
    kept.sort(key=lambda f: f.start)
    return kept


def mask(text: str, findings: Iterable[Finding]) -> str:
    """``text`` with each finding replaced by a neutral label (e.g. "[courriel masqué]")."""
    out: list[str] = []
    pos = 0
    for f in sorted(findings, key=lambda f: f.start):
        if f.start < pos:  # overlapping input: the earlier mask already covers it
            continue
        out.append(text[pos : f.start])
        out.append(MASKS.get(f.kind, "[masqué]"))
        pos = f.end
    out.append(text[pos:])
    return "".join(out)
