"""Import throughput: generated 10,000-message mboxes, end to end, against a stdlib floor.

    python benchmarks/bench_import.py [--count 10000] [--keep DIR]

Two mailboxes: "plain" (text/plain messages) and "mix" (a third plain, a third HTML, a
third with an attachment: PDF, DOCX, ODT or text). End to end = ``import_sources`` into a
fresh workspace (backup, parsing, extraction, blobs, records, campaigns): every body is
stored, i.e. searchable. The floor is the stdlib alone on the same messages:
``email.message_from_bytes(raw, policy=policy.default)`` reading From, Subject, Date and body.
"""

from __future__ import annotations

import argparse
import email
import io
import os
import random
import resource
import sys
import tempfile
import time
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assises_tui.ingest.sources import iter_mbox  # noqa: E402
from assises_tui.services.importer import import_sources  # noqa: E402
from assises_tui.workspace import Workspace  # noqa: E402

WORDS = (
    "sécurité gendarmerie police proximité commune habitants patrouille nuit soirée week-end "
    "délinquance cambriolage incivilités jeunes école réunion élus maire confiance respect "
    "présence intervention délai accueil brigade commissariat plainte signalement application "
    "téléphone vidéoprotection caméra quartier village route vitesse stationnement bruit "
    "voisins association prévention médiation citoyens participation vigilance dialogue "
    "moyens effectifs formation écoute réponse rapidité service public justice sanction"
).split()


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    return " ".join(words).capitalize() + "."


def body_text(rng: random.Random) -> str:
    paragraphs = [
        " ".join(sentence(rng) for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(1, 4))
    ]
    return "Bonjour,\n\n" + "\n\n".join(paragraphs) + "\n\nCordialement,\nUn habitant\n"


def documents(rng: random.Random) -> list[tuple[str, str, bytes]]:
    """A few attachments of each kind, built once and reused (distinct texts)."""
    import docx
    from fpdf import FPDF
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    out = []
    for i in range(8):
        text = f"Contribution {i}. " + " ".join(sentence(rng) for _ in range(6))
        pdf = FPDF()
        pdf.set_font("helvetica", size=11)
        pdf.add_page()
        pdf.multi_cell(0, 8, text=text.encode("latin-1", "replace").decode("latin-1"))
        out.append((f"contribution-{i}.pdf", "application/pdf", bytes(pdf.output())))
        d = docx.Document()
        d.add_paragraph(text)
        buf = io.BytesIO()
        d.save(buf)
        out.append(
            (
                f"contribution-{i}.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                buf.getvalue(),
            )
        )
        o = OpenDocumentText()
        o.text.addElement(P(text=text))
        buf = io.BytesIO()
        o.write(buf)
        out.append(
            (f"contribution-{i}.odt", "application/vnd.oasis.opendocument.text", buf.getvalue())
        )
        out.append((f"contribution-{i}.txt", "text/plain", text.encode("utf-8")))
    return out


def message(i: int, rng: random.Random, kind: str, docs) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Habitant {i} <habitant{i}@example.fr>"
    msg["To"] = "pref-assises-securite-interieure@allier.gouv.fr"
    msg["Subject"] = f"Contribution n°{i} aux assises de la sécurité"
    msg["Date"] = format_datetime(
        __import__("datetime").datetime(2019, 12, 1, tzinfo=__import__("datetime").UTC)
        + __import__("datetime").timedelta(minutes=7 * i)
    )
    msg["Message-ID"] = f"<bench-{kind}-{i}@example.fr>"
    text = body_text(rng)
    if kind == "html":
        html = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
        msg.set_content(text)
        msg.add_alternative(
            f"<html><body>{html}<ul><li>un</li><li>deux</li></ul></body></html>", subtype="html"
        )
    else:
        msg.set_content(text)
    if kind == "attachment":
        name, ctype, data = docs[i % len(docs)]
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes(policy=policy.SMTP).replace(b"\r\n", b"\n")


def write_mbox(path: Path, messages: list[bytes]) -> None:
    with open(path, "wb") as fh:
        for m in messages:
            fh.write(b"From bench@example.fr Mon Dec  2 10:00:00 2019\n")
            fh.write(m.rstrip(b"\n") + b"\n\n")


def cpu() -> float:
    """CPU seconds of this process and its finished children (extraction workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def floor(messages: list[bytes]) -> tuple[float, float]:
    started, cpu0 = time.perf_counter(), cpu()
    for raw in messages:
        msg = email.message_from_bytes(raw, policy=policy.default)
        _ = (msg["From"], msg["Subject"], msg["Date"])
        body = msg.get_body(("plain", "html"))
        _ = body.get_content() if body is not None else ""
    return time.perf_counter() - started, cpu() - cpu0


def end_to_end(
    path: Path, workdir: Path, workers: int | None = None
) -> tuple[float, float, int, int]:
    root = workdir / f"ws-{path.stem}"
    with Workspace.init(root) as ws:
        started, cpu0 = time.perf_counter(), cpu()
        report = import_sources(ws, [path], workers=workers)
        elapsed, cpu_s = time.perf_counter() - started, cpu() - cpu0
        stored = sum(1 for c in ws.store.all() if c.body_blob and ws.store.has_blob(c.body_blob))
    return elapsed, cpu_s, report.imported, stored


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processus d'analyse (défaut : un par cœur, au plus 2 ; 1 = aucun)",
    )
    ap.add_argument("--keep", type=Path, help="dossier où garder mbox et espaces de travail")
    args = ap.parse_args()
    rng = random.Random(2020)
    docs = documents(rng)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench-import-"))
    workdir.mkdir(parents=True, exist_ok=True)
    kinds = {"plain": lambda i: "plain", "mix": lambda i: ("plain", "html", "attachment")[i % 3]}
    results = []
    for name, kind_of in kinds.items():
        messages = [message(i, rng, kind_of(i), docs) for i in range(args.count)]
        path = workdir / f"{name}.mbox"
        write_mbox(path, messages)
        split = [m.raw for m in iter_mbox(path)]
        floor_s, floor_cpu = floor(split)
        e2e_s, e2e_cpu, imported, stored = end_to_end(path, workdir, args.workers)
        size_mb = path.stat().st_size / 1e6
        results.append(
            (name, args.count, size_mb, e2e_s, e2e_cpu, floor_s, floor_cpu, imported, stored)
        )
    print(f"charge moyenne (1, 5, 15 min) : {os.getloadavg()}")
    print(
        "| mbox | messages | Mo | bout en bout | msg/s | CPU | msg/s CPU | plancher | msg/s "
        "| CPU | msg/s CPU | ratio (CPU) | stockés |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, n, size_mb, e2e_s, e2e_cpu, floor_s, floor_cpu, imported, stored in results:
        print(
            f"| {name} | {n} | {size_mb:.1f} | {e2e_s:.1f} s | {n / e2e_s:.0f} | "
            f"{e2e_cpu:.1f} s | {n / e2e_cpu:.0f} | {floor_s:.1f} s | {n / floor_s:.0f} | "
            f"{floor_cpu:.1f} s | {n / floor_cpu:.0f} | {e2e_s / floor_s:.2f} "
            f"({e2e_cpu / floor_cpu:.2f}) | {stored}/{imported} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
