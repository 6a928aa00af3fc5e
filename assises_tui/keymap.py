"""Every key of the app in one place, each with a stable id and a French description.

The ids are what a user writes in ``[keymap]`` of consultation.toml to change a key
(``"inbox.status_done" = "t"``); the app applies them with ``App.set_keymap``. Triage keys
are shared by the inbox and the reader so the same key does the same thing everywhere.

Theme keys: ``1`` … ``9`` and, on an AZERTY keyboard without Shift, ``&`` ``é`` ``"``
``'`` ``(`` ``-`` ``è`` ``_`` ``ç`` — Textual names these keys ``ampersand``, ``é``,
``quotation_mark``, ``apostrophe``, ``left_parenthesis``, ``minus``, ``è``, ``underscore``,
``ç``.
"""

from __future__ import annotations

from textual.binding import Binding

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
