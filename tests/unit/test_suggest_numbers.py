"""A number keyword ("17", the police's phone number) only counts when it stands alone."""

from __future__ import annotations

import pytest
from tagging_support import make_services


def because_17(text: str) -> bool:
    s = make_services([("x", text)])
    return any("17" in sug.because for sug in s.suggester.suggest(1, exclude_tagged=False))


@pytest.mark.parametrize(
    "text",
    [
        "Céline Raynaud\n17 rue de la République\n03190 Hérisson",
        "J'ai écrit le 17 novembre au maire.",
        "Ils sont arrivés en 17 minutes.",
        "Mon numéro : 06 17 22 33 44.",
        "Réunion du 17/11/2019.",
    ],
)
def test_a_number_in_an_address_a_date_a_duration_or_a_phone_is_not_the_keyword(text):
    assert not because_17(text)


@pytest.mark.parametrize(
    "text",
    [
        "La nuit, quand on appelle le 17, personne ne répond.",
        "Composer le 17 devrait suffire.",
    ],
)
def test_the_emergency_number_itself_still_counts(text):
    assert because_17(text)
