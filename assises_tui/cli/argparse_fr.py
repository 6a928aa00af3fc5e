"""French for the messages argparse writes itself (usage, help headings, usage errors).

argparse looks its messages up through the module-level ``gettext`` functions ``_`` and
``ngettext``; :func:`install` points them at this table (unknown messages stay as they
are). It is called when the command-line parser is built, never at import.
"""

from __future__ import annotations

import argparse
import gettext

MESSAGES = {
    "usage: ": "usage : ",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (choix possibles : %(choices)s)",
    "invalid %(type)s value: %(value)r": "valeur invalide : %(value)r",
    "unrecognized arguments: %s": "arguments inattendus : %s",
    "expected one argument": "une valeur est attendue",
    "expected at most one argument": "une valeur au plus est attendue",
    "expected at least one argument": "au moins une valeur est attendue",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "ignored explicit argument %r": "valeur ignorée : %r",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner %(matches)s",
    "unexpected option string: %s": "option inattendue : %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "commande inconnue %(parser_name)r (commandes : %(choices)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur — %(message)s\n",
}
PLURALS = {
    "expected %s argument": ("%s valeur attendue", "%s valeurs attendues"),
}


def translate(message: str) -> str:
    return MESSAGES.get(message, message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    if singular in PLURALS:
        one, many = PLURALS[singular]
        return one if n <= 1 else many  # French: 0 and 1 take the singular
    return gettext.ngettext(singular, plural, n)


def install() -> None:
    argparse._ = translate  # type: ignore[attr-defined]
    argparse.ngettext = translate_plural  # type: ignore[attr-defined]
