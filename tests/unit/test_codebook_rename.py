"""Renaming a sub-theme's key never moves it to another theme behind the user's back."""

import pytest
from tagging_support import make_services

from assises_tui.services.codebook import CodebookError


@pytest.fixture
def s():
    return make_services()


def test_rename_key_under_another_theme_is_refused(s):
    cb = s.tagging.codebook
    cb.add("service", "Accueil du public")
    s.tagging.add([2], "service/accueil-du-public")
    with pytest.raises(CodebookError, match="garde le thème « service »"):
        cb.rename("service/accueil-du-public", None, "lien/accueil")
    keys = [e.key for e in cb.entries()]
    assert "service/accueil-du-public" in keys and "service/accueil" not in keys
    assert s.store.get(2).themes == ("service", "service/accueil-du-public")


def test_rename_key_with_its_own_theme_or_alone_works(s):
    cb = s.tagging.codebook
    cb.add("service", "Accueil du public")
    cb.rename("service/accueil-du-public", None, "service/accueil")
    cb.rename("service/accueil", None, "guichet")
    assert "service/guichet" in [e.key for e in cb.entries()]


def test_invalid_key_says_what_is_allowed(s):
    cb = s.tagging.codebook
    cb.add("service", "Accueil")
    with pytest.raises(CodebookError, match=r"a-z, 0-9, - et _ seulement"):
        cb.rename("service/accueil", None, "ÉÉ !!")
