"""Invented senders for the demo mailbox: names, Allier communes, addresses, signatures.

Every person is invented. Phone numbers are taken from the ranges that the French regulator
(ARCEP) reserves for fiction (04 65 71 xx xx, 06 39 98 xx xx), so no real line is ever shown.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

FIRST_NAMES_F = (
    "Marie",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Catherine",
    "Françoise",
    "Christine",
    "Monique",
    "Valérie",
    "Sandrine",
    "Céline",
    "Aurélie",
    "Émilie",
    "Hélène",
    "Josiane",
    "Chantal",
    "Brigitte",
    "Martine",
    "Nicole",
    "Élodie",
    "Camille",
    "Léa",
    "Manon",
    "Agnès",
    "Gisèle",
    "Odile",
    "Bernadette",
    "Solène",
    "Maëlle",
    "Inès",
)
FIRST_NAMES_M = (
    "Jean",
    "Michel",
    "Philippe",
    "Alain",
    "Patrick",
    "Bernard",
    "Christian",
    "Daniel",
    "Gérard",
    "Thierry",
    "Pascal",
    "Éric",
    "Stéphane",
    "Olivier",
    "Laurent",
    "Frédéric",
    "Sébastien",
    "Jérôme",
    "Julien",
    "Nicolas",
    "Maxime",
    "Hugo",
    "Lucas",
    "René",
    "Gilles",
    "Hervé",
    "Raphaël",
    "Benoît",
    "François",
    "Joël",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Gérard",
    "Nguyen",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Joly",
    "Gautier",
    "Roger",
    "Aubert",
    "Chassaing",
    "Auclair",
    "Bardet",
    "Desforges",
    "Pommier",
    "Labbé",
    "Thévenet",
    "Bourdier",
    "Perrot",
    "Tixier",
    "Jarrige",
    "Gaillard",
    "Brunet",
    "Rivière",
    "Besson",
    "Charmetant",
    "Ducros",
    "Achard",
    "Raynaud",
    "Boucheron",
    "Delaume",
    "Forestier",
    "Giraud",
    "Œillet",
    "Saint-André",
)
# (commune, postal code, slug used in invented town-hall domains)
COMMUNES = (
    ("Moulins", "03000", "moulins"),
    ("Montluçon", "03100", "montlucon"),
    ("Vichy", "03200", "vichy"),
    ("Cusset", "03300", "cusset"),
    ("Yzeure", "03400", "yzeure"),
    ("Commentry", "03600", "commentry"),
    ("Bellerive-sur-Allier", "03700", "bellerive"),
    ("Domérat", "03410", "domerat"),
    ("Saint-Pourçain-sur-Sioule", "03500", "saintpourcain"),
    ("Gannat", "03800", "gannat"),
    ("Varennes-sur-Allier", "03150", "varennes"),
    ("Lapalisse", "03120", "lapalisse"),
    ("Dompierre-sur-Besbre", "03290", "dompierre"),
    ("Bourbon-l'Archambault", "03160", "bourbon"),
    ("Cérilly", "03350", "cerilly"),
    ("Ébreuil", "03450", "ebreuil"),
    ("Huriel", "03380", "huriel"),
    ("Lurcy-Lévis", "03320", "lurcylevis"),
    ("Le Mayet-de-Montagne", "03250", "lemayet"),
    ("Marcillat-en-Combraille", "03420", "marcillat"),
    ("Montmarault", "03390", "montmarault"),
    ("Néris-les-Bains", "03310", "neris"),
    ("Saint-Germain-des-Fossés", "03260", "stgermain"),
    ("Souvigny", "03210", "souvigny"),
    ("Tronget", "03240", "tronget"),
    ("Chantelle", "03140", "chantelle"),
    ("Désertines", "03630", "desertines"),
    ("Avermes", "03000", "avermes"),
    ("Saint-Yorre", "03270", "saintyorre"),
    ("Cosne-d'Allier", "03430", "cosne"),
    ("Hérisson", "03190", "herisson"),
    ("Le Donjon", "03130", "ledonjon"),
    ("Jaligny-sur-Besbre", "03220", "jaligny"),
    ("Chevagnes", "03230", "chevagnes"),
    ("Ainay-le-Château", "03360", "ainay"),
    ("Abrest", "03200", "abrest"),
    ("Creuzier-le-Vieux", "03300", "creuzier"),
    ("Prémilhat", "03410", "premilhat"),
    ("Saint-Victor", "03410", "saintvictor"),
)
STREETS = (
    "rue des Tilleuls",
    "avenue de la Gare",
    "rue Jean Jaurès",
    "place de l'Église",
    "chemin des Vignes",
    "rue du Stade",
    "allée des Acacias",
    "rue Pasteur",
    "route de Moulins",
    "rue de la République",
    "impasse des Lilas",
    "boulevard de Courtais",
    "rue Victor Hugo",
    "lieu-dit Les Bruyères",
    "rue du 8 Mai 1945",
    "rue des Écoles",
)
CITIZEN_DOMAINS = (
    ("orange.fr", 8),
    ("wanadoo.fr", 4),
    ("free.fr", 5),
    ("gmail.com", 10),
    ("laposte.net", 5),
    ("sfr.fr", 3),
    ("hotmail.fr", 3),
    ("yahoo.fr", 3),
    ("outlook.fr", 2),
    ("neuf.fr", 1),
    ("bbox.fr", 1),
    ("aliceadsl.fr", 1),
)
ASSOCIATIONS = (
    ("Association Voisins Vigilants du Bourbonnais", "voisins-vigilants-bourbonnais.fr"),
    ("Comité des fêtes de Tronget", "cdf-tronget.fr"),
    ("Association des commerçants du centre-ville de Montluçon", "commercants-montlucon.fr"),
    ("Union départementale des associations familiales de l'Allier", "udaf03.fr"),
    ("Ligue des droits de l'Homme — section de Vichy", "ldh-vichy.fr"),
    ("Association de prévention spécialisée du Moulinois", "prevention-moulins.org"),
    ("Association des retraités de la gendarmerie de l'Allier", "retraites-gendarmerie03.fr"),
    ("Amicale des sapeurs-pompiers de Gannat", "amicale-sp-gannat.fr"),
    ("France Victimes 03", "francevictimes03.fr"),
)
# (masculine, feminine) forms, so that a role always agrees with the first name.
ELECTED_ROLES = (
    ("Maire", "Maire"),
    ("Maire adjoint chargé de la sécurité", "Maire adjointe chargée de la sécurité"),
    ("Conseiller municipal", "Conseillère municipale"),
    ("Maire", "Maire"),
    ("Premier adjoint", "Première adjointe"),
)
ASSOCIATION_ROLES = (
    ("Président", "Présidente"),
    ("Secrétaire", "Secrétaire"),
    ("Trésorier", "Trésorière"),
)
POLICE_UNITS = (
    "Commissariat de police de Montluçon",
    "Commissariat de police de Vichy",
    "Commissariat de police de Moulins",
    "Direction départementale de la sécurité publique",
)
GENDARMERIE_UNITS = (
    "Brigade territoriale autonome de Gannat",
    "Communauté de brigades de Lapalisse",
    "Brigade de proximité du Donjon",
    "Compagnie de gendarmerie de Vichy",
    "Brigade territoriale de Saint-Pourçain-sur-Sioule",
    "Groupement de gendarmerie de l'Allier",
)
GRADES = ("Adjudant", "Maréchal des logis-chef", "Gendarme", "Capitaine", "Adjudant-chef")


def ascii_slug(text: str) -> str:
    """'Hélène Lefèvre' → 'helene.lefevre' (what a mailbox name looks like)."""
    folded = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "Oe"))
    kept = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return "".join(c if c.isalnum() else "." if c in " -" else "" for c in kept).strip(".")


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    email: str
    category: str  # citoyen | elu | police | gendarmerie | association
    commune: str
    postcode: str
    street: str
    phone: str
    title: str = ""  # role line for signatures (maire, brigade, association…)
    organisation: str = ""

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


class PeopleFactory:
    """Draws people from one seeded random generator, never the same address twice."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _names(self) -> tuple[str, str]:
        pool = FIRST_NAMES_F if self.rng.random() < 0.5 else FIRST_NAMES_M
        return self.rng.choice(pool), self.rng.choice(LAST_NAMES)

    @staticmethod
    def _agree(first: str, forms: tuple[str, str]) -> str:
        return forms[1] if first in FIRST_NAMES_F else forms[0]

    def _unique(self, local: str, domain: str) -> str:
        candidate, n = f"{local}@{domain}", 1
        while candidate in self.used:
            n += 1
            candidate = f"{local}{n}@{domain}"
        self.used.add(candidate)
        return candidate

    def phone(self) -> str:
        prefix = "06 39 98" if self.rng.random() < 0.6 else "04 65 71"
        return f"{prefix} {self.rng.randint(0, 99):02d} {self.rng.randint(0, 99):02d}"

    def _base(self) -> dict:
        commune, postcode, _slug = self.rng.choice(COMMUNES)
        street = f"{self.rng.randint(1, 48)} {self.rng.choice(STREETS)}"
        return {"commune": commune, "postcode": postcode, "street": street, "phone": self.phone()}

    def citizen(self) -> Person:
        first, last = self._names()
        domains, weights = zip(*CITIZEN_DOMAINS, strict=True)
        domain = self.rng.choices(domains, weights)[0]
        styles = (
            f"{ascii_slug(first)}.{ascii_slug(last)}",
            f"{ascii_slug(first)[0]}{ascii_slug(last)}",
            f"{ascii_slug(last)}.{ascii_slug(first)}{self.rng.randint(1, 99)}",
            f"{ascii_slug(first)}{ascii_slug(last)[:3]}{self.rng.choice(('03', '1958', '62'))}",
        )
        email = self._unique(self.rng.choice(styles).replace("..", "."), domain)
        return Person(first, last, email, "citoyen", **self._base())

    def elected(self) -> Person:
        first, last = self._names()
        base = self._base()
        commune, postcode, slug = self.rng.choice(COMMUNES)
        base.update(commune=commune, postcode=postcode, street="Hôtel de ville")
        local = self.rng.choice(("maire", "mairie", f"{ascii_slug(first)}.{ascii_slug(last)}"))
        email = self._unique(local, f"mairie-{slug}.fr")
        role = self._agree(first, self.rng.choice(ELECTED_ROLES))
        return Person(first, last, email, "elu", title=f"{role} de {commune}", **base)

    def police(self) -> Person:
        first, last = self._names()
        unit = self.rng.choice(POLICE_UNITS)
        email = self._unique(f"{ascii_slug(first)}.{ascii_slug(last)}", "interieur.gouv.fr")
        grade = self.rng.choice(("Brigadier-chef", "Commandant", "Gardien de la paix", "Major"))
        return Person(first, last, email, "police", title=grade, organisation=unit, **self._base())

    def gendarme(self) -> Person:
        first, last = self._names()
        unit = self.rng.choice(GENDARMERIE_UNITS)
        email = self._unique(
            f"{ascii_slug(first)}.{ascii_slug(last)}", "gendarmerie.interieur.gouv.fr"
        )
        return Person(
            first,
            last,
            email,
            "gendarmerie",
            title=self.rng.choice(GRADES),
            organisation=unit,
            **self._base(),
        )

    def association(self) -> Person:
        first, last = self._names()
        org, domain = self.rng.choice(ASSOCIATIONS)
        email = self._unique(self.rng.choice(("contact", "president", "secretariat")), domain)
        role = self._agree(first, self.rng.choice(ASSOCIATION_ROLES))
        return Person(
            first, last, email, "association", title=role, organisation=org, **self._base()
        )

    def any(self) -> Person:
        kind = self.rng.choices(
            ("citoyen", "elu", "police", "gendarmerie", "association"), (78, 8, 4, 5, 5)
        )[0]
        return {
            "citoyen": self.citizen,
            "elu": self.elected,
            "police": self.police,
            "gendarmerie": self.gendarme,
            "association": self.association,
        }[kind]()


def signature(person: Person, rng: random.Random) -> str:
    """A closing block; some carry personal data (address, phone) the app must spot."""
    if person.category == "elu":
        lines = [person.name, person.title, f"Mairie — {person.postcode} {person.commune}"]
        if rng.random() < 0.6:
            lines.append(f"Tél. : {person.phone}")
        return "\n".join(lines)
    if person.category in {"police", "gendarmerie"}:
        lines = [f"{person.title} {person.name}", person.organisation]
        if rng.random() < 0.5:
            lines.append(f"Tél. : {person.phone}")
        return "\n".join(lines)
    if person.category == "association":
        return "\n".join(
            (
                person.name,
                f"{person.title}, {person.organisation}",
                f"{person.street}, {person.postcode} {person.commune}",
            )
        )
    roll = rng.random()
    if roll < 0.25:
        return person.name
    if roll < 0.45:
        return f"{person.first} {person.last.upper()}\n{person.commune}"
    if roll < 0.65:
        return f"{person.name}\n{person.street}\n{person.postcode} {person.commune}\n{person.phone}"
    if roll < 0.75:
        return f"-- \n{person.name}\nPortable : {person.phone.replace(' ', '.')}"
    if roll < 0.85:
        return f"{person.first}\n\nEnvoyé de mon iPhone"
    if roll < 0.92:
        return f"{person.name} ({person.commune})\n\nEnvoyé depuis mon appareil Android"
    return ""
