"""Cohen's kappa against values worked out by hand, and the double-coding report."""

from __future__ import annotations

import pytest
from tagging_support import make_services

from assises_tui.analysis.agreement import cohen_kappa
from assises_tui.errors import AssisesError


def test_kappa_balanced_by_hand():
    # 10 items. Coder A says yes to items 1-5, coder B to items 1-4 and 6.
    # Agreements: 1-4 (yes/yes) and 7-10 (no/no) = 8 -> p_o = 8/10 = 0.8.
    # Each says yes half the time: p_e = 0.5*0.5 + 0.5*0.5 = 0.5.
    # kappa = (0.8 - 0.5) / (1 - 0.5) = 0.6.
    a = [True] * 5 + [False] * 5
    b = [True] * 4 + [False, True] + [False] * 4
    k = cohen_kappa(zip(a, b, strict=True))
    assert k.n == 10
    assert k.observed == pytest.approx(0.8)
    assert k.expected == pytest.approx(0.5)
    assert k.kappa == pytest.approx(0.6)


def test_kappa_unbalanced_by_hand():
    # 20 items: both yes 2, A only 3, B only 1, neither 14.
    # p_o = (2 + 14) / 20 = 0.8. A yes rate 5/20 = 0.25, B yes rate 3/20 = 0.15.
    # p_e = 0.25*0.15 + 0.75*0.85 = 0.0375 + 0.6375 = 0.675.
    # kappa = (0.8 - 0.675) / (1 - 0.675) = 0.125 / 0.325 = 0.384615...
    pairs = [(True, True)] * 2 + [(True, False)] * 3 + [(False, True)] + [(False, False)] * 14
    k = cohen_kappa(pairs)
    assert k.expected == pytest.approx(0.675)
    assert k.kappa == pytest.approx(0.125 / 0.325)


def test_kappa_total_disagreement_and_undefined():
    # A = yes, no; B = no, yes: p_o = 0, p_e = 0.5 -> kappa = (0 - 0.5) / 0.5 = -1.
    assert cohen_kappa([(True, False), (False, True)]).kappa == pytest.approx(-1.0)
    # Both always "no": p_e = 1, kappa undefined (None), though p_o = 1.
    k = cohen_kappa([(False, False)] * 4)
    assert k.observed == 1.0 and k.kappa is None
    assert cohen_kappa([]).kappa is None


def test_double_coding_report_and_blindness():
    s = make_services()
    s.tagging.add([1, 2], "service")
    s.tagging.add([1], "communication")
    s.tagging.add([3], "lien")
    s.tagging.add([4], "participation")
    dc = s.double_coding
    sample = dc.draw_sample(10, seed=7)
    assert sample == [1, 2, 3, 4]  # only coded contributions are drawn
    assert dc.draw_sample(2, seed=7) == dc.draw_sample(2, seed=7)  # reproducible
    dc.draw_sample(10, seed=7)
    dc.code(1, ["service", "communication"])
    dc.code(2, ["lien"])
    dc.code(3, ["lien"])
    # The second coding never reaches the records.
    assert s.store.get(2).themes == ("service",)
    report = dc.report()
    assert report.sample_size == 4 and report.coded == 3
    by_theme = {t.theme: t for t in report.themes}
    # service: first yes on 1,2; second yes on 1 -> pairs (T,T),(T,F),(F,F): p_o = 2/3.
    assert by_theme["service"].observed == pytest.approx(2 / 3)
    assert by_theme["service"].first_only == 1
    # lien: first (F,F? no) -> 1:(F,F) 2:(F,T) 3:(T,T): p_o = 2/3
    assert by_theme["lien"].second_only == 1
    assert {(d.id, d.theme, d.first, d.second) for d in report.disagreements} == {
        (2, "service", True, False),
        (2, "lien", False, True),
    }
    assert s.store.audit()[-1]["what"] == "double_coding:code"


def test_double_coding_refuses_unknown_theme_and_empty_population():
    s = make_services()
    with pytest.raises(AssisesError):
        s.double_coding.draw_sample(3, seed=1)
    with pytest.raises(AssisesError, match="Thème inconnu"):
        s.double_coding.code(1, ["inexistant"])


def test_kappa_formatting_never_shows_negative_zero():
    from assises_tui.analysis.agreement import format_kappa, percent

    assert format_kappa(-1e-17) == "0,00"
    assert format_kappa(0.6) == "0,60"
    assert format_kappa(-0.456) == "-0,46"
    assert format_kappa(None) == "non défini"
    assert percent(2 / 3) == "67 %"
