"""Double coding and inter-coder agreement (Cohen's kappa per theme).

A coordinator draws a sample (size, seed) of contributions that a first reviewer has coded; a
second reviewer codes them blind. The second coding lives in the workspace document
``double_coding`` — never in ``Contribution.themes`` — so it cannot leak into the first coding,
the synthesis or the suggestion engine. Agreement is computed per main theme on presence /
absence of the theme: observed agreement p_o, chance agreement p_e from each coder's own
rate, kappa = (p_o - p_e) / (1 - p_e). When p_e = 1 (both coders gave one same answer to
every item) kappa is undefined and reported as ``None``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from assises_tui.clock import now_iso
from assises_tui.errors import AssisesError

if TYPE_CHECKING:
    from assises_tui.config import Consultation
    from assises_tui.store.protocol import Store

DOC = "double_coding"


@dataclass(frozen=True)
class Kappa:
    n: int
    observed: float  # p_o
    expected: float  # p_e
    kappa: float | None


def cohen_kappa(pairs: Iterable[tuple[bool, bool]]) -> Kappa:
    """Cohen's kappa for two coders' yes/no answers on the same items."""
    pairs = list(pairs)
    n = len(pairs)
    if n == 0:
        return Kappa(0, 0.0, 0.0, None)
    agree = sum(1 for a, b in pairs if a == b)
    yes_a = sum(1 for a, _b in pairs if a) / n
    yes_b = sum(1 for _a, b in pairs if b) / n
    p_o = agree / n
    p_e = yes_a * yes_b + (1 - yes_a) * (1 - yes_b)
    kappa = None if abs(1 - p_e) < 1e-12 else (p_o - p_e) / (1 - p_e)
    return Kappa(n, p_o, p_e, kappa)


@dataclass(frozen=True)
class Disagreement:
    id: int
    theme: str
    first: bool  # the first coder tagged the theme
    second: bool


@dataclass(frozen=True)
class ThemeAgreement:
    theme: str
    label: str
    n: int
    observed: float
    expected: float
    kappa: float | None
    both: int
    first_only: int
    second_only: int
    neither: int


@dataclass
class AgreementReport:
    sample_size: int
    coded: int  # sample items the second coder has coded
    themes: list[ThemeAgreement] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    pooled: Kappa | None = None  # every (contribution, theme) pair together

    def to_dict(self) -> dict[str, Any]:
        return {
            "sample_size": self.sample_size,
            "coded": self.coded,
            "pooled": asdict(self.pooled) if self.pooled else None,
            "themes": [asdict(t) for t in self.themes],
            "disagreements": [asdict(d) for d in self.disagreements],
        }


def format_kappa(kappa: float | None) -> str:
    """ "0,61" (French decimal comma), never "-0,00"; "non défini" when undefined."""
    return "non défini" if kappa is None else f"{round(kappa, 2) + 0.0:.2f}".replace(".", ",")


def percent(value: float) -> str:
    return f"{value * 100:.0f} %"


def _main(keys: Iterable[str]) -> set[str]:
    return {k.split("/", 1)[0] for k in keys}


class DoubleCoding:
    def __init__(self, store: Store, consultation: Consultation, reviewer: str) -> None:
        self.store = store
        self.config = consultation
        self.reviewer = reviewer

    def _doc(self) -> dict[str, Any]:
        doc = self.store.get_doc(DOC) or {}
        doc.setdefault("sample", {"ids": []})
        doc.setdefault("codes", {})
        return doc

    def _save(self, doc: dict[str, Any], event: dict[str, Any]) -> None:
        if self.store.read_only:
            raise AssisesError(
                "Espace de travail ouvert en lecture seule : aucune modification possible."
            )
        self.store.put_doc(DOC, doc)
        self.store.append_audit([{"at": now_iso(), "who": self.reviewer, **event}])

    def draw_sample(self, n: int, seed: int, ids: Sequence[int] | None = None) -> list[int]:
        """Draw ``n`` contributions among those already coded (or among ``ids``)."""
        if n <= 0:
            raise AssisesError("La taille de l'échantillon doit être positive.")
        if ids is None:
            population = [c.id for c in self.store.all() if c.themes]
        else:
            population = sorted(set(ids))
        if not population:
            raise AssisesError(
                "Aucune contribution codée : le premier codage doit précéder l'échantillon.",
                exit_code=1,
            )
        chosen = sorted(random.Random(seed).sample(population, min(n, len(population))))
        doc = self._doc()
        doc["sample"] = {
            "ids": chosen,
            "n": n,
            "seed": seed,
            "at": now_iso(),
            "drawn_by": self.reviewer,
        }
        self._save(doc, {"what": "double_coding:sample", "n": n, "seed": seed, "ids": chosen})
        return chosen

    def sample_ids(self) -> list[int]:
        return list(self._doc()["sample"].get("ids", []))

    def second_themes(self, cid: int) -> set[str] | None:
        code = self._doc()["codes"].get(str(cid))
        return set(code["themes"]) if code else None

    def code(self, cid: int, themes: Iterable[str]) -> None:
        """Record the second reviewer's main themes for ``cid``."""
        known = set(self.config.theme_keys)
        chosen = sorted(_main(themes))
        unknown = [t for t in chosen if t not in known]
        if unknown:
            raise AssisesError(f"Thème inconnu : « {unknown[0]} ».")
        doc = self._doc()
        doc["codes"][str(cid)] = {"themes": chosen, "by": self.reviewer, "at": now_iso()}
        self._save(doc, {"what": "double_coding:code", "id": cid, "themes": chosen})

    def report(self) -> AgreementReport:
        doc = self._doc()
        ids = doc["sample"].get("ids", [])
        codes = doc["codes"]
        rows: list[tuple[int, set[str], set[str]]] = []
        for cid in ids:
            item = self.store.get(cid)
            if item is None or str(cid) not in codes:
                continue
            rows.append((cid, _main(item.themes), set(codes[str(cid)]["themes"])))
        report = AgreementReport(sample_size=len(ids), coded=len(rows))
        all_pairs: list[tuple[bool, bool]] = []
        for theme in self.config.themes:
            pairs = [(theme.key in a, theme.key in b) for _cid, a, b in rows]
            all_pairs += pairs
            k = cohen_kappa(pairs)
            report.themes.append(
                ThemeAgreement(
                    theme.key,
                    theme.label,
                    k.n,
                    k.observed,
                    k.expected,
                    k.kappa,
                    both=sum(1 for a, b in pairs if a and b),
                    first_only=sum(1 for a, b in pairs if a and not b),
                    second_only=sum(1 for a, b in pairs if b and not a),
                    neither=sum(1 for a, b in pairs if not a and not b),
                )
            )
            report.disagreements += [
                Disagreement(cid, theme.key, theme.key in a, theme.key in b)
                for cid, a, b in rows
                if (theme.key in a) != (theme.key in b)
            ]
        report.disagreements.sort(key=lambda d: (d.id, d.theme))
        report.pooled = cohen_kappa(all_pairs)
        return report
