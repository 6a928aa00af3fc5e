"""The synthesis service: draft, versions, figures, personal-data check and exports.

Screens and the CLI call this; it reads the store and never imports Textual. Every export
first runs the check (citations and personal data); it refuses with the list of problems,
each with its line, unless the coordinator accepted a finding explicitly. Accepted findings
are kept in the ``synthesis_accepted`` document (by the finding's id, i.e. for that exact
text) and recorded in the audit trail, as is every export.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assises_tui.clock import now_iso
from assises_tui.domain.models import Contribution, Excerpt
from assises_tui.durable import ensure_dir
from assises_tui.errors import AssisesError
from assises_tui.services.contribution_archive import ARCHIVE_FORMATS, write_archive
from assises_tui.services.departments import departments, in_department, resolve
from assises_tui.services.tagging import excerpts_under
from assises_tui.store.texts import attachment_texts, body_text
from assises_tui.synthesis.charts import Chart, all_charts
from assises_tui.synthesis.draft import template
from assises_tui.synthesis.figures import SET_ASIDE, Figures, compute_figures
from assises_tui.synthesis.render import Document, Issue, RenderResult, render
from assises_tui.synthesis.versions import DraftVersions, SharedDraftVersions, Version
from assises_tui.text.fold import fold
from assises_tui.text.personal_data import Finding, NameIndex, find_personal_data

if TYPE_CHECKING:
    from assises_tui.config import Consultation
    from assises_tui.store.protocol import Store

FORMATS = ("odt", "docx", "md", "pdf")
ACCEPTED_DOC = "synthesis_accepted"


@dataclass
class CheckReport:
    errors: list[Issue] = field(default_factory=list)  # citations, placeholders
    findings: list[Finding] = field(default_factory=list)  # personal data, accepted or not
    accepted: set[str] = field(default_factory=set)  # ids of accepted findings
    warnings: list[Issue] = field(default_factory=list)  # empty sections: do not block

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.id not in self.accepted]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.blocking

    def lines(self) -> list[str]:
        """French sentences, one per problem, for the CLI and the app."""
        out = [f"ligne {e.line} : {e.message}" for e in self.errors]
        out += [
            f"ligne {f.line} : {f.label} « {f.text} » (accepter : --accept {f.id})"
            for f in self.blocking
        ]
        return out

    def warning_lines(self) -> list[str]:
        """What does not block the export but would show in the document (empty sections)."""
        return [f"ligne {w.line} : {w.message}" for w in self.warnings]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": [{"line": e.line, "message": e.message} for e in self.errors],
            "findings": [
                {
                    "id": f.id,
                    "kind": f.kind,
                    "label": f.label,
                    "line": f.line,
                    "text": f.text,
                    "accepted": f.id in self.accepted,
                }
                for f in self.findings
            ],
            "warnings": [{"line": w.line, "message": w.message} for w in self.warnings],
        }


def _same_text(finding: Finding) -> tuple[str, str]:
    """A finding as the draft and the document both show it: « Jean D'Artagnan » typed,
    « Jean D’Artagnan » typeset with a no-break space."""
    return finding.kind, fold(" ".join(finding.text.split()))


def _rendered_findings(
    document: Document,
    draft: str,
    names: NameIndex,
    allowed: list[str],
    in_draft: list[Finding],
) -> list[Finding]:
    """The personal data a reader of the export sees that the draft's check cannot: a name
    split by emphasis (« Jean **D'**Artagnan » is « Jean D’Artagnan » once rendered), one
    from the store's labels. Each is reported once, on the draft line it comes from."""
    seen = {_same_text(f) for f in in_draft}
    lines = draft.split("\n")
    out = []
    for line, shown in document.texts():
        for finding in find_personal_data(shown, names, allowed=allowed):
            if _same_text(finding) not in seen:
                seen.add(_same_text(finding))
                out.append(replace(finding, line=_draft_line(lines, line, finding.text)))
    return out


def _draft_line(lines: list[str], first: int, found: str) -> int:
    """The line where ``found`` starts in the paragraph that starts at line ``first`` (a
    paragraph of the draft runs over several lines), ``first`` if no line shows it."""
    words = re.findall(r"\w+", fold(found))
    for n in range(first, len(lines) + 1 if first else 0):
        if not lines[n - 1].strip():
            break
        if words and words[0] in fold(lines[n - 1]):
            return n
    return first


class ExportBlocked(AssisesError):
    """The check found problems: nothing was written (exit code 1)."""

    exit_code = 1

    def __init__(self, report: CheckReport) -> None:
        lines = "\n".join(f"  {line}" for line in report.lines())
        super().__init__(
            f"Export refusé : {len(report.lines())} problème(s) à corriger ou à accepter.\n{lines}"
        )
        self.report = report


def _today_in(tz) -> date:
    return datetime.now(tz).date()


class SynthesisService:
    def __init__(
        self,
        store: Store,
        consultation: Consultation,
        reviewer: str,
        draft_path: Path,
        today: Callable[[], date] | None = None,
        theme_label: Callable[[str], str] | None = None,
        exports_dir: Path | None = None,
    ) -> None:
        self.store = store
        #: « Service rendu › Accueil » for a sub-theme key (the codebook's labels).
        self.theme_label = theme_label
        self.config = consultation
        self.reviewer = reviewer
        #: The synthesis draft (Markdown) in the workspace.
        self.path = draft_path
        #: Where the app's preview writes its exports (the workspace's ``exports/``).
        self.exports_dir = exports_dir or draft_path.parent / "exports"
        self._today = today
        # team mode: one draft for the whole team, in the shared store
        self.versions = (
            SharedDraftVersions(store) if consultation.store_url else DraftVersions(draft_path)
        )
        #: A national roll-up's synthesis for one département (its figures, charts,
        #: material and exports); None for the whole workspace. Set by :meth:`scope_to`.
        self.department: str | None = None

    def scope_to(self, department: str | None) -> str | None:
        """Restrict figures, charts, material and exports to one département (None: all).
        Returns the département as the records spell it; AssisesError when none has it."""
        if department is not None:
            department = resolve(department, self.store.all(), self.config.department)
        self.department = department
        return department

    def departments(self) -> list[str]:
        """The départements of the workspace's contributions (one unless a roll-up)."""
        return departments(self.store.all(), self.config.department)

    def _items(self) -> list[Contribution]:
        """The contributions the synthesis is about: every one, or its département's."""
        return in_department(self.store.all(), self.department, self.config.department)

    # -- the draft -----------------------------------------------------------
    def template(self) -> str:
        return template(self.config)

    def load(self) -> str:
        """The current draft, or the template when none was saved yet."""
        text = self.versions.current()
        return text if text is not None else self.template()

    def save(self, text: str) -> Version | None:
        """Atomic save, kept as a version; None when nothing changed."""
        self._writable()
        return self.versions.save(text)

    def list_versions(self) -> list[Version]:
        return self.versions.list()

    def diff(self, old_id: str, new_id: str | None = None) -> str:
        return self.versions.diff(old_id, new_id)

    def restore(self, version_id: str) -> str:
        """Make a version the current draft (recorded as a new version); returns its text."""
        self._writable()
        version = self.versions.get(version_id)
        self.versions.restore(version.id)
        self._audit("synthesis.restore", version=version.id)
        return self.versions.read(version.id)

    # -- material for the drafting screen ------------------------------------
    def excerpts_for_theme(self, theme: str) -> list[tuple[int, Excerpt]]:
        return excerpts_under(self._items(), theme)

    def contributions_for_theme(self, theme: str) -> list[Contribution]:
        return [
            c
            for c in self._items()
            if c.status not in SET_ASIDE and theme in {t.split("/", 1)[0] for t in c.themes}
        ]

    def contribution(self, cid: int) -> Contribution | None:
        return self.store.get(cid)

    # -- figures, rendering, check -------------------------------------------
    def today(self) -> date:
        return self._today() if self._today else _today_in(self.config.tz)

    def figures(self) -> Figures:
        return compute_figures(self._items(), self.config)

    def render(self, text: str | None = None, *, omit_empty: bool = False) -> RenderResult:
        text = self.load() if text is None else text
        # citations resolve against every record (a number is national in a roll-up);
        # figures and charts are of the département the synthesis is scoped to
        items = {c.id: c for c in self.store.all()}
        scoped = self._items()
        return render(
            text,
            self.config,
            items,
            compute_figures(scoped, self.config),
            self.today(),
            omit_empty=omit_empty,
            charts=self.charts(scoped),
            scope=f"Département : {self.department}" if self.department else "",
        )

    def charts(self, items: Iterable[Contribution] | None = None) -> list[Chart]:
        """The annex's charts. The reviewers' progress stays in the app: it names agents
        and says nothing to the Minister."""
        items = self._items() if items is None else items
        return [c for c in all_charts(items, self.config, self.theme_label) if c.key != "progress"]

    def known_names(self) -> list[str]:
        """Senders who are people: the consultation's own mailbox (its acknowledgements,
        signed « Préfecture de l'Allier ») is the authority, named in every synthesis."""
        own_address = (self.config.mailbox or "").strip().lower()
        own_name = fold(" ".join(self.config.signed_by.split()))  # l'Allier or l’Allier
        return sorted(
            {
                c.sender_name
                for c in self.store.all()
                if c.sender_name
                and (c.sender_email or "").strip().lower() != own_address
                and fold(" ".join(c.sender_name.split())) != own_name
            }
        )

    def name_index(self) -> NameIndex:
        """Sender names to look for; a surname that is also a commune or a theme word of
        this consultation ("Vichy", "Gendarmerie"…) is only reported as part of a full name."""
        config = self.config
        ignore = {c.commune for c in self.store.all() if c.commune}
        ignore.update(t.label for t in config.themes)
        ignore.update(k for t in config.themes for k in t.keywords)
        return NameIndex(self.known_names(), ignore=ignore)

    def accepted_ids(self) -> set[str]:
        return set(self.store.get_doc(ACCEPTED_DOC).get("accepted", {}))

    def check(self, text: str | None = None) -> CheckReport:
        """Citations, figures and personal data, on the draft and on the document as every
        export writes it (emphasis, typography and the store's labels applied)."""
        text = self.load() if text is None else text
        names, allowed = self.name_index(), [self.config.mailbox]
        findings = find_personal_data(text, names, allowed=allowed)
        result = self.render(text)
        findings += _rendered_findings(result.document, text, names, allowed, findings)
        return CheckReport(result.errors, findings, self.accepted_ids(), result.warnings)

    def accept(self, finding: Finding) -> None:
        """Accept one finding (that exact text), persisted and recorded in the audit trail."""
        self._writable()
        doc = self.store.get_doc(ACCEPTED_DOC)
        accepted = dict(doc.get("accepted", {}))
        at = now_iso()
        accepted[finding.id] = {"kind": finding.kind, "who": self.reviewer, "at": at}
        self.store.put_doc(ACCEPTED_DOC, {**doc, "accepted": accepted})
        self._audit(
            "synthesis.accept_finding", finding=finding.id, kind=finding.kind, line=finding.line
        )

    # -- exports ---------------------------------------------------------------
    def export_to_workspace(self, fmt: str, text: str, *, omit_empty: bool = False) -> Path:
        """:meth:`export` to ``exports/synthese.<fmt>`` in the workspace (``synthese-cher``
        for a département of a roll-up); returns the path."""
        name = "synthese"
        if self.department:
            name += "-" + "-".join(re.findall(r"[a-z0-9]+", fold(self.department)))
        path = self.exports_dir / f"{name}.{fmt}"
        ensure_dir(self.exports_dir)
        self.export(fmt, path, text=text, omit_empty=omit_empty)
        return path

    def export(
        self,
        fmt: str,
        path: Path,
        *,
        text: str | None = None,
        accept: Iterable[str] = (),
        omit_empty: bool = False,
    ) -> CheckReport:
        """Check, then write the document in ``fmt``; raises ExportBlocked on problems.
        With ``omit_empty`` the sections with nothing written under them are left out."""
        if fmt not in FORMATS:
            raise AssisesError(f"Format inconnu « {fmt} » (choix : {', '.join(FORMATS)}).")
        self._writable()  # every export is recorded in the audit trail
        text = self.load() if text is None else text
        report = self.check(text)
        wanted = list(dict.fromkeys(accept))
        if wanted:
            by_id = {f.id: f for f in report.findings}
            unknown = [a for a in wanted if a not in by_id]
            if unknown:
                raise AssisesError(
                    f"Aucun signalement « {unknown[0]} » dans le brouillon actuel : "
                    "lancez « assises synthesis check » pour voir les identifiants."
                )
            for finding_id in wanted:
                if finding_id not in report.accepted:
                    self.accept(by_id[finding_id])
            report = self.check(text)
        if not report.ok:
            raise ExportBlocked(report)
        document = self.render(text, omit_empty=omit_empty).document
        path = Path(path)
        if fmt == "md":
            from assises_tui.synthesis.export_md import export_markdown as write
        elif fmt == "odt":
            from assises_tui.synthesis.export_odt import export_odt as write
        elif fmt == "docx":
            from assises_tui.synthesis.export_docx import export_docx as write
        else:
            from assises_tui.synthesis.export_pdf import export_pdf as write
        write(document, path)
        self._audit(
            "synthesis.export",
            format=fmt,
            path=str(path),
            sha256=_sha256(path),
            omit_empty=omit_empty,
            department=self.department,
        )
        return report

    def export_contributions(
        self, fmt: str, path: Path, *, with_personal_data: bool = False
    ) -> int:
        """Archive every record as csv or jsonl; personal data masked unless asked for."""
        if fmt not in ARCHIVE_FORMATS:
            raise AssisesError(f"Format inconnu « {fmt} » (choix : {', '.join(ARCHIVE_FORMATS)}).")
        self._writable()
        count = write_archive(
            self._items(),
            fmt,
            Path(path),
            texts=lambda c: (body_text(self.store, c), attachment_texts(self.store, c)),
            names=self.name_index(),  # built once for every record
            mailbox=self.config.mailbox,
            tz=self.config.tz,
            theme_label=self.theme_label or (lambda key: key),
            with_personal_data=with_personal_data,
        )
        self._audit(
            "contributions.export",
            format=fmt,
            path=str(path),
            count=count,
            personal_data=with_personal_data,
            department=self.department,
        )
        return count

    # -- internals -------------------------------------------------------------
    def _writable(self) -> None:
        if self.store.read_only:
            raise AssisesError(
                "Espace de travail ouvert en lecture seule : impossible d'enregistrer la "
                "synthèse, d'accepter un signalement ou d'exporter."
            )

    def _audit(self, what: str, **details: Any) -> None:
        if self.store.read_only:
            return
        entry = {"at": now_iso(), "who": self.reviewer, "what": what, **details}
        self.store.append_audit([entry])


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
