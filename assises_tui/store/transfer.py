"""Copy a workspace's data from one store to another (``assises migrate``).

Everything a store holds goes across, unchanged: records (history, excerpts, notes…),
the blobs they and the quarantine name, quarantine entries with their numbers, every
document (codebook, saved searches, settings…) and the audit trail. Copying TinyDB →
PostgreSQL → TinyDB gives back the same data. Records go in batches, each batch's blobs
first, so an interrupted copy never leaves a record naming a missing blob.

A **roll-up** (``merge=True``) gathers several départements into one database: records
get new numbers after those already there (their own number is kept as ``origin_id`` with
their département), ``duplicate_of`` follows the renumbering, quarantine entries are
appended, documents already in the database are kept (the first département's codebook
is the national one) and audit events are tagged with the département.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from assises_tui.domain.models import Contribution, QuarantineEntry
from assises_tui.store.protocol import Store

BATCH = 500


@dataclass
class TransferReport:
    contributions: int = 0
    blobs: int = 0
    quarantine: int = 0
    documents: int = 0
    audit: int = 0

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def item_blobs(item: Contribution) -> list[str]:
    found = [item.raw_blob, item.body_blob]
    for attachment in item.attachments:
        found += [attachment.blob, attachment.text_blob]
    return [sha for sha in found if sha]


def _copy_blobs(src: Store, dst: Store, shas: list[str], seen: set[str]) -> int:
    fresh = [sha for sha in dict.fromkeys(shas) if sha not in seen]
    datas = [src.get_blob(sha) for sha in fresh if src.has_blob(sha)]
    if datas:
        dst.put_blobs(datas)
    seen.update(fresh)
    return len(datas)


def copy_store(
    src: Store,
    dst: Any,
    *,
    merge: bool = False,
    department: str = "",
    progress: Callable[[int, int], None] | None = None,
    skip_document: Callable[[str], bool] = lambda _name: False,
) -> TransferReport:
    """Copy everything from ``src`` into ``dst`` (empty unless ``merge``); documents for
    which ``skip_document(name)`` is true stay behind (the caller moves them its way)."""
    report = TransferReport()
    seen: set[str] = set()
    items = src.all()
    renumber: dict[int, int] = {}
    if merge:
        renumber = dict(zip((i.id for i in items), dst.allocate_ids(len(items)), strict=True))
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        report.blobs += _copy_blobs(src, dst, [s for i in batch for s in item_blobs(i)], seen)
        if merge:
            moved = [
                replace(
                    item,
                    id=renumber[item.id],
                    duplicate_of=renumber.get(item.duplicate_of or 0, item.duplicate_of),
                    department=item.department or department,
                )
                for item in batch
            ]
            origin = {renumber[i.id]: i.id for i in batch}
            dst.insert(moved, department=department, origin_ids=origin)
        elif hasattr(dst, "insert"):
            dst.insert(batch, department=department)
        else:
            dst.add_many(batch)
        report.contributions += len(batch)
        if progress is not None:
            progress(report.contributions, len(items))

    entries = src.quarantine()
    report.blobs += _copy_blobs(src, dst, [e.raw_blob for e in entries if e.raw_blob], seen)
    if merge:
        offset = max((e.id for e in dst.quarantine()), default=0)
        entries = [
            QuarantineEntry(
                e.id + offset,
                f"{department} : {e.source}",
                e.reason,
                e.raw_blob,
                e.at,
                e.raw_sha256,
            )
            for e in entries
        ]
    dst.put_quarantine(entries)
    report.quarantine = len(entries)

    existing = set(dst.doc_names()) if merge else set()
    for name in src.doc_names():
        if name not in existing and not skip_document(name):
            dst.put_doc(name, src.get_doc(name))
            report.documents += 1
    events = src.audit()
    if merge:
        events = [{**event, "departement": department} for event in events]
    if events:
        dst.append_audit(events)
    report.audit = len(events)
    return report
