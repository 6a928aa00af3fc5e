"""Fixed French wording around the real contributions: greetings, subjects, campaign, replies."""

from __future__ import annotations

import random
import tomllib
from datetime import datetime
from html import escape
from pathlib import Path

# The consultation this mailbox belongs to: the bundled configuration is the one source of truth.
with open(Path(__file__).resolve().parents[1] / "allier" / "consultation.toml", "rb") as _config:
    CONSULTATION = tomllib.load(_config)
MAILBOX: str = CONSULTATION["mailbox"]
DEADLINE: datetime = CONSULTATION["deadline"]
PARIS = DEADLINE.tzinfo  # +01:00 all through the window (winter time, no DST change)

GREETINGS = (
    "Bonjour,",
    "Madame, Monsieur,",
    "Monsieur le Préfet,",
    "Bonjour Madame, Monsieur,",
    "Bonsoir,",
    "Mesdames, Messieurs,",
    "",
    "Bonjour à vous,",
    "Monsieur le Préfet de l'Allier,",
)
INTROS = (
    "Suite à l'appel à contributions paru dans La Montagne, voici mon avis.",
    "Je souhaite apporter ma contribution aux Assises de la sécurité intérieure.",
    "Voici quelques remarques et propositions d'un habitant de la commune de {commune}.",
    "J'ai lu l'annonce de la préfecture et je me permets de vous écrire.",
    "Installé à {commune} depuis plus de vingt ans, je voudrais vous faire part de mon expérience.",
    "Quelques idées en vrac pour les Assises :",
    "",
    "",
    "",
)
ROLE_INTROS = {
    "elu": "En tant que {title_lower}, je souhaite apporter la contribution de notre commune "
    "aux Assises territoriales de la sécurité intérieure.",
    "police": "Je me permets de contribuer à titre personnel, avec l'expérience du terrain.",
    "gendarmerie": "Gendarme en poste dans l'Allier, je souhaite apporter quelques éléments "
    "issus de notre quotidien.",
    "association": "Au nom de notre association ({organisation}), voici notre contribution "
    "adoptée en conseil d'administration.",
}
CLOSINGS = (
    "Cordialement,",
    "Bien cordialement,",
    "Salutations distinguées.",
    "Respectueusement,",
    "Veuillez agréer, Monsieur le Préfet, l'expression de mes salutations respectueuses.",
    "Merci de m'avoir lu.",
    "Bonne journée,",
    "Sincères salutations,",
    "",
)
GENERIC_SUBJECTS = (
    "Contribution aux Assises de la sécurité",
    "Assises sécurité – mon avis",
    "Assises territoriales de la sécurité intérieure",
    "Contribution",
    "Ma contribution",
    "contribution assises securite",
    "Assises de la sécurité intérieure : contribution",
    "Avis d'un citoyen sur la sécurité",
    "Sécurité dans l'Allier",
    "Mes propositions",
    "Consultation sécurité intérieure",
    "ASSISES SECURITE",
    "Quelques idées pour la sécurité",
    "Réponse à la consultation de la préfecture",
)
KEYWORD_SUBJECTS = (
    ("gendarm", "Proposition pour la gendarmerie de {commune}"),
    ("proximit", "Police de proximité"),
    ("caméra", "Vidéoprotection à {commune}"),
    ("vidéo", "Vidéoprotection"),
    ("incivilit", "Incivilités à {commune}"),
    ("plainte", "Dépôt de plainte : mon expérience"),
    ("voisins vigilants", "Participation citoyenne / voisins vigilants"),
    ("commissariat", "Accueil au commissariat"),
    ("délinquan", "Délinquance : mes propositions"),
)

CAMPAIGN_COMMUNE = "Le Donjon"
CAMPAIGN_SUBJECTS = (
    "Non à la fermeture de la brigade du Donjon",
    "NON à la fermeture de la brigade de gendarmerie du Donjon",
    "Brigade de gendarmerie du Donjon",
    "Assises sécurité : sauvons notre brigade",
    "Fermeture brigade Le Donjon",
)
CAMPAIGN_PARAGRAPHS = (
    "Nous apprenons que la brigade de gendarmerie du Donjon pourrait être fermée ou regroupée "
    "avec celle de Lapalisse dans le cadre de la réorganisation des forces de sécurité.",
    "Nos communes rurales du canton sont déjà éloignées de tous les services publics. Sans "
    "brigade, il faudra attendre plus de trente minutes l'arrivée d'une patrouille en cas "
    "d'urgence, la nuit comme le week-end.",
    "Les gendarmes du Donjon connaissent les habitants, les exploitations agricoles isolées et "
    "les personnes âgées. Ce lien de proximité ne se remplace pas par une application ou un "
    "numéro de téléphone.",
    "Nous demandons le maintien de la brigade du Donjon avec ses effectifs actuels, et des "
    "permanences d'accueil au moins deux demi-journées par semaine.",
)
CAMPAIGN_VARIANTS = (
    ("plus de trente minutes", "au moins une demi-heure"),
    ("Nous demandons", "Je demande"),
    ("Nos communes rurales", "Les communes rurales"),
    ("ne se remplace pas", "ne se remplacera jamais"),
)

HTML_STYLE = (
    '<style type="text/css">body{font-family:Calibri,Arial,sans-serif;font-size:11pt}'
    "p.MsoNormal{margin:0} .signature{color:#1F497D}</style>"
)
HTML_SCRIPT = (
    "<script type=\"text/javascript\">document.write('SCRIPT-NE-DOIT-PAS-APPARAITRE');</script>"
)


def html_body(
    paragraphs: list[str],
    rng: random.Random,
    signature: str,
    with_style: bool,
    with_script: bool,
    always_list: bool = False,
) -> str:
    """An HTML rendering of a contribution, the way webmails and Outlook write them."""
    parts = ['<!DOCTYPE html>\n<html><head><meta charset="utf-8">']
    if with_style:
        parts.append(HTML_STYLE)
    if with_script:
        parts.append(HTML_SCRIPT)
    parts.append("</head><body>\n")
    for paragraph in paragraphs:
        lines = [line.strip(" -•") for line in paragraph.split("\n") if line.strip()]
        if len(lines) > 2 and (always_list or rng.random() < 0.7):
            items = "".join(f"<li>{escape(line, quote=False)}</li>" for line in lines)
            parts.append(f"<ul>{items}</ul>\n")
        else:
            tag = 'p class="MsoNormal"' if with_style else "p"
            inner = "<br>".join(escape(line, quote=False) for line in lines)
            parts.append(f"<{tag}>{inner}</p>\n")
    if signature:
        sig = "<br>".join(escape(line, quote=False) for line in signature.split("\n"))
        parts.append(f'<div class="signature"><p>{sig}</p></div>\n')
    parts.append("</body></html>\n")
    return "".join(parts)


def subject_for(text: str, commune: str, rng: random.Random) -> str:
    if rng.random() < 0.02:
        return ""  # some people send with no subject at all
    lowered = text.lower()
    if rng.random() < 0.45:
        for stem, template in KEYWORD_SUBJECTS:
            if stem in lowered:
                return template.format(commune=commune)
    return rng.choice(GENERIC_SUBJECTS)


AUTO_REPLIES = (
    (
        "Réponse automatique : absence du bureau",
        "Bonjour,\n\nJe suis absent(e) du bureau jusqu'au {back}. Pour toute urgence, merci de "
        "contacter le secrétariat de mairie.\n\nCordialement,\n{name}",
    ),
    (
        "Absence du bureau : Assises territoriales de la sécurité intérieure",
        "Je suis actuellement en congés et n'aurai pas accès à ma messagerie avant le {back}.\n"
        "Votre message ne sera pas transféré.\n\n{name}",
    ),
    (
        "Réponse automatique : Accusé de réception de votre contribution",
        "Bonjour,\n\nMerci pour votre message. Je vous répondrai dès mon retour le {back}.\n\n{name}",
    ),
    (
        "Automatic reply: Assises de la sécurité intérieure",
        "From 23 December 2019 to 3 January 2020 I am out of the office with no access to e-mail.\n"
        "Je suis absent du 23 décembre au 3 janvier inclus.\n\n{name}",
    ),
    (
        "Message d'absence",
        "Bonjour,\nLa mairie est fermée pendant les fêtes de fin d'année. Réouverture le {back}.\n"
        "Pour toute urgence, contactez le {phone}.\n\n{name}",
    ),
    (
        "Réponse automatique : absence du bureau",
        "Je suis en formation jusqu'au {back} inclus. Votre courriel sera traité à mon retour.\n\n"
        "{name}",
    ),
)

ACK_TEXT = (
    "Madame, Monsieur,\n\nNous accusons réception de votre contribution aux Assises territoriales "
    "de la sécurité intérieure. Elle sera prise en compte dans la synthèse départementale "
    "adressée au ministre de l'Intérieur.\n\nNous vous remercions de votre participation.\n\n"
    "Le bureau de la sécurité intérieure\nPréfecture de l'Allier\n2 rue Michel de l'Hospital\n"
    "03016 Moulins Cedex"
)
REMINDER_TEXT = (
    "Mesdames et Messieurs les maires,\n\nJe vous rappelle que la consultation ouverte dans le "
    "cadre des Assises territoriales de la sécurité intérieure se termine le 20 janvier 2020. "
    "Je vous remercie de relayer cet appel auprès de vos administrés : les contributions sont "
    f"reçues à l'adresse {MAILBOX}.\n\n"
    "Le directeur de cabinet du préfet de l'Allier"
)
OFF_TOPIC = (
    (
        "Demande de rendez-vous carte grise",
        "Bonjour,\nJe n'arrive pas à obtenir de rendez-vous pour ma carte grise sur le site de l'ANTS "
        "depuis trois semaines. Pouvez-vous m'aider ?\nMerci d'avance",
    ),
    (
        "Permis de conduire - dossier en attente",
        "Bonjour, mon dossier de permis de conduire est bloqué depuis octobre, à qui dois-je "
        "m'adresser ?\nCordialement",
    ),
    (
        "Offre spéciale : équipez votre commune en vidéoprotection !",
        "Madame, Monsieur,\nProfitez de notre offre de fin d'année sur les caméras de "
        "vidéoprotection connectées : -20 % jusqu'au 31 décembre.\nPour vous désinscrire, "
        "répondez STOP.",
    ),
)
