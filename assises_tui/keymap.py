"""Every key of the app in one place, each with a stable id and a French description.

Screens and widgets take their ``BINDINGS`` from here and declare none of their own, so
this module is the one source of binding ids (a test checks that the ids are unique and
that every screen's keys come from here).

The ids are what a user writes in ``[keymap]`` of consultation.toml to change a key
(``"inbox.status_done" = "t"``); the app applies them with ``App.set_keymap``. Triage keys
are shared by the inbox and the reader so the same key does the same thing everywhere.

Theme keys: ``1`` … ``9`` and, on an AZERTY keyboard without Shift, ``&`` ``é`` ``"``
``'`` ``(`` ``-`` ``è`` ``_`` ``ç`` — Textual names these keys ``ampersand``, ``é``,
``quotation_mark``, ``apostrophe``, ``left_parenthesis``, ``minus``, ``è``, ``underscore``,
``ç``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from textual.binding import Binding

from assises_tui.errors import AssisesError

#: Unshifted AZERTY top row, the 1st..9th theme.
AZERTY_DIGITS = ("&", "é", '"', "'", "(", "-", "è", "_", "ç")


def theme_bindings(n_themes: int) -> list[Binding]:
    bindings = []
    for i in range(min(n_themes, 9)):
        bindings.append(
            Binding(
                f"{i + 1},{AZERTY_DIGITS[i]}",
                f"toggle_theme({i})",
                f"Thème {i + 1}",
                show=False,
                id=f"inbox.theme_{i + 1}",
            )
        )
    return bindings


APP_BINDINGS = [
    Binding("q", "quit", "Quitter", id="app.quit"),
    Binding("question_mark,f1", "help", "Aide", id="app.help"),
    Binding("ctrl+p", "command_palette", "Commandes", show=False, id="app.palette"),
]

#: Same keys in the inbox and the reader (they act on the marked set when there is one).
TRIAGE_BINDINGS = [
    Binding("n", "status('new')", "Nouveau", show=False, id="inbox.status_new"),
    Binding("c", "status('in_progress')", "En cours", show=False, id="inbox.status_in_progress"),
    Binding("d", "status('done')", "Traité", id="inbox.status_done"),
    Binding("h", "status('off_topic')", "Hors sujet", show=False, id="inbox.status_off_topic"),
    Binding("H", "not_contribution", "Hors contribution", show=False, id="inbox.not_contribution"),
    Binding("D", "duplicate", "Doublon de…", show=False, id="inbox.duplicate"),
    Binding("N", "note", "Note", show=False, id="inbox.note"),
    Binding("a", "assign", "Attribuer", show=False, id="inbox.assign"),
    Binding("L", "toggle_late", "Retard oui/non", show=False, id="inbox.toggle_late"),
    Binding("ctrl+d", "set_date", "Corriger la date", show=False, id="inbox.set_date"),
    Binding("t", "tags", "Thèmes…", id="inbox.tags"),
    Binding("x", "excerpt", "Extraits", show=False, id="inbox.excerpt"),
    Binding("u", "undo", "Annuler", show=False, id="inbox.undo"),
]

#: About the contribution being read (inbox and reader).
READING_BINDINGS = [
    Binding("P", "privacy", "Vue pseudonymisée", show=False, id="reading.privacy"),
    Binding("l", "history", "Historique", show=False, id="reading.history"),
    Binding(
        "y",
        "accept_suggestion",
        "Accepter la suggestion",
        show=False,
        id="reading.accept_suggestion",
    ),
]

INBOX_BINDINGS = [
    Binding("slash", "search", "Chercher", id="inbox.search"),
    Binding("v", "views", "Vues", id="inbox.views"),
    Binding("right_square_bracket", "next_view", "Vue suivante", show=False, id="inbox.next_view"),
    Binding(
        "left_square_bracket",
        "previous_view",
        "Vue précédente",
        show=False,
        id="inbox.previous_view",
    ),
    Binding("o", "sort", "Trier", show=False, id="inbox.sort"),
    Binding("O", "reverse_sort", "Inverser le tri", show=False, id="inbox.reverse_sort"),
    Binding("space", "mark", "Marquer", show=False, id="inbox.mark"),
    Binding("A", "mark_all", "Tout marquer", show=False, id="inbox.mark_all"),
    Binding("E", "unmark_all", "Effacer les marques", show=False, id="inbox.unmark_all"),
    Binding("S", "save_search", "Enregistrer la recherche", show=False, id="inbox.save_search"),
    Binding("R", "recall_search", "Recherches enregistrées", show=False, id="inbox.recall_search"),
    Binding("J", "next", "Suivante", show=False, id="inbox.next"),
    Binding("K", "previous", "Précédente", show=False, id="inbox.previous"),
    Binding("f", "fold", "Déplier/replier", show=False, id="inbox.fold"),
    Binding("b", "raw", "Source brute", show=False, id="inbox.raw"),
    Binding("ctrl+r", "reload", "Actualiser", show=False, id="inbox.reload"),
    Binding("i", "import", "Importer", show=False, id="inbox.import"),
    Binding("r", "fetch", "Relever la boîte", show=False, id="inbox.fetch"),
    Binding("C", "codebook", "Livre de codes", show=False, id="inbox.codebook"),
    Binding("s,f5", "synthesis", "Synthèse", id="inbox.synthesis"),
    Binding("g", "statistics", "Statistiques", show=False, id="inbox.statistics"),
    Binding("escape", "back", "Retour", show=False, id="inbox.back"),
]

READER_BINDINGS = [
    Binding("escape", "back", "Retour", id="reader.back"),
    Binding("J", "next", "Suivante", id="reader.next"),
    Binding("K", "previous", "Précédente", show=False, id="reader.previous"),
    Binding("f", "fold", "Déplier", id="reader.fold"),
    Binding("b", "raw", "Source brute", show=False, id="reader.raw"),
]

# -- each screen's and widget's own keys --------------------------------------------

#: PreviewScreen (screens/preview.py)
PREVIEW_SCREEN_BINDINGS = [
    Binding("escape", "close", "Retour", id="preview.close"),
    Binding("a", "accept", "Accepter le signalement", id="preview.accept"),
    Binding("o", "export('odt')", "ODT", id="preview.export_odt"),
    Binding("w", "export('docx')", "DOCX", id="preview.export_docx"),
    Binding("p", "export('pdf')", "PDF", id="preview.export_pdf"),
    Binding("m", "export('md')", "Markdown", id="preview.export_md"),
    Binding("e", "toggle_omit_empty", "Sections vides", id="preview.omit_empty"),
    Binding("1", "show_tab('tab-preview')", "Aperçu", show=False, id="preview.tab_preview"),
    Binding("2", "show_tab('tab-figures')", "Chiffres", show=False, id="preview.tab_figures"),
    Binding("3", "show_tab('tab-check')", "Vérification", show=False, id="preview.tab_check"),
]


#: HistoryScreen (screens/history.py)
HISTORY_SCREEN_BINDINGS = [
    Binding("escape,h", "close", "Fermer l'historique", id="history.close"),
]


#: VersionsScreen (screens/synthesis_versions.py)
VERSIONS_SCREEN_BINDINGS = [
    Binding("escape", "dismiss_none", "Fermer", id="versions.close"),
    Binding("r", "restore", "Restaurer", id="versions.restore"),
]


#: CodebookScreen (screens/codebook.py)
CODEBOOK_SCREEN_BINDINGS = [
    Binding("escape", "close", "Retour", id="codebook.close"),
    # j/k move as in the inbox (the table itself knows only the arrows).
    Binding("j", "move(1)", "Descendre", show=False, id="codebook.down"),
    Binding("k", "move(-1)", "Monter", show=False, id="codebook.up"),
    Binding("a", "add", "Ajouter", id="codebook.add"),
    Binding("r", "rename", "Renommer", id="codebook.rename"),
    Binding("m", "merge", "Fusionner", id="codebook.merge"),
    Binding("d", "retire", "Retirer", id="codebook.retire"),
    Binding("c", "double_coding", "Double codage", id="codebook.double_coding"),
    # a national roll-up only (hidden otherwise): the counts of one département
    Binding("ctrl+t", "department", "Département", id="codebook.department"),
]


#: ExcerptList (screens/synthesis_material.py)
EXCERPT_LIST_BINDINGS = [
    Binding("space", "screen.toggle_mark", "Marquer", id="synthesis.mark"),
    Binding("c", "screen.new_point('constat')", "Constat", id="synthesis.constat_key"),
    Binding("p", "screen.new_point('proposition')", "Proposition", id="synthesis.proposition_key"),
]


#: ThemeContributions (screens/synthesis_material.py)
THEME_CONTRIBUTIONS_BINDINGS = [
    Binding("i", "screen.cite_contribution", "Citer", id="synthesis.cite"),
]


#: AgreementReportScreen (screens/double_coding.py)
AGREEMENT_REPORT_SCREEN_BINDINGS = [Binding("escape,q", "close", "Fermer", id="agreement.close")]


#: DoubleCodingScreen (screens/double_coding.py)
DOUBLE_CODING_SCREEN_BINDINGS = [
    Binding("escape", "close", "Retour", id="dc.close"),
    Binding("ctrl+s", "save", "Enregistrer et suivante", id="dc.save"),
    Binding("n", "move(1)", "Suivante", id="dc.next"),
    Binding("p", "move(-1)", "Précédente", id="dc.prev"),
    Binding("r", "report", "Rapport d'accord", id="dc.report"),
    Binding("s", "sample", "Tirer l'échantillon", id="dc.sample"),
]


#: ExcerptScreen (screens/excerpt.py)
EXCERPT_SCREEN_BINDINGS = [
    Binding("escape", "close", "Retour", id="excerpt.close"),
    Binding("j", "sentence(1)", "Phrase suiv.", id="excerpt.next_sentence"),
    Binding("k", "sentence(-1)", "Phrase préc.", show=False, id="excerpt.prev_sentence"),
    Binding("J", "paragraph(1)", "Paragraphe", id="excerpt.next_paragraph"),
    Binding("K", "paragraph(-1)", "Paragr. préc.", show=False, id="excerpt.prev_paragraph"),
    Binding("plus,+", "extend(1)", "Étendre", id="excerpt.extend"),
    Binding("minus,-", "extend(-1)", "Réduire", show=False, id="excerpt.shrink"),
    Binding("f", "file", "Classer", id="excerpt.file"),
    Binding("1", "kind('constat')", "Constat", show=False, id="excerpt.kind_constat"),
    Binding("2", "kind('proposition')", "Proposition", show=False, id="excerpt.kind_proposition"),
    Binding("3", "kind('citation')", "Citation", show=False, id="excerpt.kind_citation"),
    Binding("a", "accept_suggestion", "Suggestion", id="excerpt.accept_suggestion"),
    Binding("x", "delete_excerpt", "Suppr. extrait", show=False, id="excerpt.delete"),
]


#: ConfirmScreen (screens/prompts.py)
CONFIRM_SCREEN_BINDINGS = [
    Binding("o,y", "answer(True)", "Oui", id="confirm.yes"),
    Binding("n,escape", "answer(False)", "Non", id="confirm.no"),
]


#: TextPrompt (screens/prompts.py)
TEXT_PROMPT_BINDINGS = [Binding("escape", "cancel", "Annuler", id="prompt.cancel")]


#: ChoiceScreen (screens/prompts.py)
CHOICE_SCREEN_BINDINGS = [Binding("escape", "cancel", "Annuler", id="choice.cancel")]


#: HelpScreen (screens/help.py)
HELP_SCREEN_BINDINGS = [Binding("escape,q,question_mark", "close", "Fermer", id="help.close")]


#: TagPickerScreen (screens/tag_picker.py)
TAG_PICKER_SCREEN_BINDINGS = [
    Binding("escape", "cancel", "Annuler", id="tags.cancel"),
    Binding("ctrl+s", "apply", "Valider", id="tags.apply"),
    Binding("down", "to_list", "Liste", show=False, id="tags.to_list"),
]


#: ImportScreen (screens/import_screen.py)
IMPORT_SCREEN_BINDINGS = [Binding("escape", "back", "Retour", id="import.back")]


#: SynthesisScreen (screens/synthesis.py)
SYNTHESIS_SCREEN_BINDINGS = [
    # In footer order: what is used most comes first (80 columns show about six keys).
    Binding("escape", "close", "Retour", id="synthesis.close"),
    Binding("f5", "preview", "Aperçu", id="synthesis.preview"),
    Binding("f3", "quote_excerpt", "Citer", id="synthesis.quote"),
    Binding("f4", "toggle_mark", "Marquer", id="synthesis.mark_global"),
    # F6/F7 belong to the TextArea (select line / all): the new bullets take F9/F10.
    Binding("f9", "new_point('constat')", "Constat", id="synthesis.constat"),
    Binding("f10", "new_point('proposition')", "Proposition", id="synthesis.proposition"),
    # Listed by F1 and Ctrl+P; the footer keeps to what fits in 120 columns.
    Binding("f2", "open_citation", "Ouvrir la citation", show=False, id="synthesis.open_citation"),
    Binding("f8", "versions", "Versions", show=False, id="synthesis.versions"),
    Binding("ctrl+s", "save", "Enregistrer", show=False, id="synthesis.save"),
    Binding("ctrl+o", "toggle_outline", "Plan", show=False, id="synthesis.outline"),
    Binding("ctrl+t", "department", "Département", show=False, id="synthesis.department"),
]


#: StatisticsScreen (screens/statistics.py)
STATISTICS_SCREEN_BINDINGS = [
    Binding("escape", "app.pop_screen", "Retour", id="statistics.close"),
    Binding("ctrl+r", "reload", "Actualiser", id="statistics.reload"),
    Binding("ctrl+t", "department", "Département", id="statistics.department"),
]


#: FetchScreen (screens/fetch_screen.py)
FETCH_SCREEN_BINDINGS = [
    Binding("escape", "back", "Retour", id="fetch.back"),
]


#: ReaderView (widgets/body_view.py)
READER_VIEW_BINDINGS = [
    Binding("j", "scroll_down", "Défiler vers le bas", show=False, id="reader.scroll_down"),
    Binding("k", "scroll_up", "Défiler vers le haut", show=False, id="reader.scroll_up"),
]


#: ContributionList (widgets/contribution_list.py)
CONTRIBUTION_LIST_BINDINGS = [
    Binding("k,up", "cursor_up", "Monter", show=False, id="list.up"),
    Binding("j,down", "cursor_down", "Descendre", show=False, id="list.down"),
    Binding("pageup", "page_up", "Page précédente", show=False, id="list.page_up"),
    Binding("pagedown", "page_down", "Page suivante", show=False, id="list.page_down"),
    Binding("home", "first", "Première", show=False, id="list.first"),
    Binding("end", "last", "Dernière", show=False, id="list.last"),
    Binding("enter", "open", "Lire", id="list.open"),
]


#: SuggestionBar (widgets/suggestions.py)
SUGGESTION_BAR_BINDINGS = [
    Binding("a,1", "accept(0)", "Accepter la suggestion", id="suggest.accept"),
    Binding("2", "accept(1)", "Accepter la 2e", show=False, id="suggest.accept2"),
    Binding("3", "accept(2)", "Accepter la 3e", show=False, id="suggest.accept3"),
]


def all_bindings() -> list[Binding]:
    """Every binding declared here (theme keys for the nine possible themes included)."""
    found = [*theme_bindings(9)]
    for name, value in globals().items():
        if name.endswith("_BINDINGS") and isinstance(value, list):
            found += value
    return found


def binding_ids() -> set[str]:
    return {b.id for b in all_bindings() if b.id}


def check_keymap(keymap: Mapping[str, str]) -> None:
    """``[keymap]`` of consultation.toml: every id known, every key given; else one French
    sentence naming the wrong entry (and the id it most resembles)."""
    known = binding_ids()
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, sorted(known), n=1)
            hint = f" Vouliez-vous dire « {close[0]} » ?" if close else ""
            raise AssisesError(
                f"consultation.toml, [keymap] : identifiant de touche inconnu « {binding_id} »."
                f"{hint} La liste des identifiants est dans docs/keymap.md."
            )
        if not keys.strip():
            raise AssisesError(
                f"consultation.toml, [keymap] : aucune touche donnée pour « {binding_id} »."
            )
