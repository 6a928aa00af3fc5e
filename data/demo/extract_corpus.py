"""Copy the subset of the Grand Débat corpus that the demo mailbox uses.

Run once by a maintainer, with the path of the full corpus (one JSON object a line):

    python data/demo/extract_corpus.py granddebat_securite.jsonl

It writes ``corpus-extrait.jsonl`` beside this script. The mailbox generator reads only that
extract, so building the demo never needs the full corpus. The texts are real answers to the
Grand Débat National (2019), Licence Ouverte 2.0 (Etalab): see README.md for the credit.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "corpus-extrait.jsonl"
SEED = 20191115
WANTED = 560
KEPT_FIELDS = ("id", "source_repo", "source_path", "source_commit", "platform", "question", "text")
# Keyword stems that make an answer read like a contribution on public safety.
RELEVANT = (
    "polic",
    "gendarm",
    "proximit",
    "délinquan",
    "forces de l",
    "force de l",
    "incivilit",
    "commissariat",
    "plainte",
    "caméra",
    "vidéo",
    "voisins vigilants",
    "participation citoyenne",
    "tranquillit",
    "patrouill",
    "cambriol",
    "brigade",
    "sécurité",
    "insécurit",
    "civisme",
)


def _usable(record: dict) -> bool:
    text = record["text"].strip()
    # Short fragments ("par le sentiment d'insécurité…") answer a question we do not show.
    if not 80 <= len(text) <= 2500 or not (text[0].isupper() or text[0] in "-«\"'"):
        return False
    if record.get("theme") in {"Transition écologique", "Fiscalité et dépenses publiques"}:
        return False
    return any(k in " ".join(record.get("matched_keywords", ())) for k in RELEVANT)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage : extract_corpus.py CORPUS.jsonl", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    pool = sorted((r for r in records if _usable(r)), key=lambda r: r["id"])
    chosen = random.Random(SEED).sample(pool, min(WANTED, len(pool)))
    chosen.sort(key=lambda r: r["id"])
    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as out:
        for record in chosen:
            kept = {k: record[k] for k in KEPT_FIELDS if k in record}
            out.write(json.dumps(kept, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(chosen)} contributions écrites dans {OUTPUT.name} (sur {len(pool)} retenues)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
