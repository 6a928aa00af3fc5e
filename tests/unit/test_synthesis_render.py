from datetime import UTC, datetime, timedelta

import pytest
from synthesis_support import CLEAN_DRAFT, make_services

from assises_tui.synthesis.render import HeadingBlock, ListBlock, QuoteBlock, plain
from assises_tui.synthesis.versions import DraftVersions


@pytest.fixture
def services(tmp_path):
    s = make_services(tmp_path)
    yield s
    s.workspace.close()


def test_figures_from_the_store(services):
    fig = services.synthesis.figures()
    assert (fig.messages, fig.contributions, fig.on_time, fig.late) == (6, 4, 3, 1)
    assert (fig.not_contributions, fig.duplicates) == (1, 1)
    assert fig.by_category == [("Citoyen", 1), ("Élu", 1), ("Gendarmerie", 1), ("Association", 1)]
    assert dict(fig.by_theme) == {
        "Communication et échanges": 1,
        "Service rendu": 2,
        "Lien population-forces": 1,
        "Participation citoyenne": 1,
    }
    # ISO weeks in Paris time: #6 arrived at 00:30 on 20/01/2020 (Paris), week 4.
    assert fig.by_week == [("2019-W48", 1), ("2019-W49", 2), ("2020-W04", 1)]
    assert str(fig.first_date) == "2019-11-25" and str(fig.last_date) == "2020-01-20"


def test_render_resolves_citations_pseudonymously_and_numbers_proposals(services):
    result = services.synthesis.render(CLEAN_DRAFT)
    assert result.errors == []
    doc = result.document
    lists = [b for b in doc.blocks if isinstance(b, ListBlock)]
    proposals = [b for b in lists if b.ordered]
    assert [b.numbers for b in proposals] == [(1,), (2, 3)]
    # French typography: no-break space after « n° », narrow no-break space before « ; ».
    assert plain(proposals[1].items[1]) == (
        "Plus de patrouilles le soir (Contribution n°\u00a02 — élu, Gannat\u202f; "
        "contribution n°\u00a03 — gendarmerie)"
    )
    quote = next(b for b in doc.blocks if isinstance(b, QuoteBlock))
    assert plain(quote.runs).endswith("(Contribution n°\u00a01 — citoyen, Montluçon)")
    everything = repr(doc)
    for secret in ("Dupontel", "Krawczyk", "orange.fr", "rue des Lilas"):
        assert secret not in everything
    assert "4 contributions reçues, dont 1 hors délai." in everything
    assert doc.date_label == "3 février 2020"
    assert [h.text for h in doc.headings(1)][-1] == "Annexe\u00a0: chiffres"
    assert isinstance(doc.blocks[0], HeadingBlock)


def test_render_errors_name_the_line(services):
    text = "# T\n\n## Service rendu\n\n- Point [#2, #999]\n- Autre [#4]\n\n{{inconnu}}\n"
    errors = services.synthesis.render(text).errors
    assert [(e.line, e.message) for e in errors] == [
        (5, "la contribution n° 999 n'existe pas"),
        (6, "le message n° 4 est classé « hors contribution »"),
        (8, "chiffre inconnu « {{inconnu}} »"),
    ]


def test_versions_save_list_diff_restore(tmp_path):
    ticks = iter(datetime(2020, 1, 5, 10, 0, tzinfo=UTC) + timedelta(seconds=i) for i in range(9))
    v = DraftVersions(tmp_path / "synthesis.md", clock=lambda: next(ticks))
    first = v.save("un\ndeux\n")
    assert v.save("un\ndeux\n") is None  # unchanged: no new version
    second = v.save("un\ntrois\n")
    assert [x.id for x in v.list()] == [first.id, second.id]
    diff = v.diff(first.id)
    assert "-deux" in diff and "+trois" in diff
    v.restore(first.id)
    assert (tmp_path / "synthesis.md").read_text() == "un\ndeux\n"
    assert len(v.list()) == 3 and v.read(v.list()[-1].id) == "un\ndeux\n"
    # versions are never rewritten
    assert v.read(second.id) == "un\ntrois\n"
    # no temp files left behind
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_version_ids_stay_ordered_with_a_frozen_clock(tmp_path):
    frozen = datetime(2020, 1, 5, 10, 0, tzinfo=UTC)
    v = DraftVersions(tmp_path / "synthesis.md", clock=lambda: frozen)
    ids = [v.save(f"texte {i}").id for i in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert [v.read(i) for i in ids] == ["texte 0", "texte 1", "texte 2"]


def test_service_load_defaults_to_template_and_restore_is_audited(services):
    syn = services.synthesis
    assert syn.load() == syn.template()
    syn.save("premier")
    syn.save("second")
    first = syn.list_versions()[0].id
    assert syn.restore(first) == "premier"
    assert syn.load() == "premier"
    events = [e for e in services.store.audit() if e["what"] == "synthesis.restore"]
    assert events and events[-1]["version"] == first


def test_markdown_export_shows_hostile_store_text_literally(services):
    from dataclasses import replace

    from assises_tui.synthesis.export_md import to_markdown

    item = services.store.get(2)
    services.store.save(replace(item, commune="Gannat **x** [lien](http://evil) <b>"))
    result = services.synthesis.render("## Service rendu\n\n- Point [#2]\n")
    md = to_markdown(result.document)
    assert "\\*\\*x\\*\\* \\[lien\\](http://evil) \\<b>" in md
    assert "[lien](" not in md


def test_one_count_everywhere(services, tmp_path):
    """« assises stats », the inbox's « Sans thème » view and the synthesis agree, in the
    same words, and an undated contribution is neither on time nor late."""
    from dataclasses import replace

    from assises_tui.screens.views import VIEW_BY_KEY
    from assises_tui.services.stats import stats

    undated = replace(services.store.get(3), received_at=None, date_uncertain=True, themes=())
    services.store.save_many([undated])
    data = stats(services.store, services.config)
    fig = services.synthesis.figures()
    untagged_view = [c for c in services.store.all() if VIEW_BY_KEY["untagged"].predicate(c, "")]
    assert data["total"] == fig.messages == 6
    assert data["contributions"] == fig.contributions == 4
    assert data["untagged"] == len(untagged_view) == 1
    assert (data["on_time"], data["late"], data["date_uncertain"]) == (2, 1, 1)
    assert (fig.on_time, fig.late, fig.date_uncertain) == (2, 1, 1)
    assert data["summary"] == fig.summary == "6 messages reçus, dont 4 contributions"
    text = services.synthesis.render("## Méthode\n\n{{bilan}} ; {{date_incertaine}}.\n")
    assert "6 messages reçus, dont 4 contributions" in repr(text.document).replace("\\xa0", " ")
    rows = dict(fig.tables()[0].rows)
    assert rows["dont date incertaine"] == "1" and rows["dont dans les délais"] == "2"
