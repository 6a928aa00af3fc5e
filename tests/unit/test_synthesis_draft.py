from assises_tui.config import bundled_config_dir, load_consultation
from assises_tui.synthesis.draft import (
    add_point,
    citation_at,
    find_citations,
    format_citation,
    outline,
    quotation,
    template,
    theme_at_line,
)
from assises_tui.synthesis.figures import bar

CONFIG = load_consultation(bundled_config_dir() / "consultation.toml")


def test_citations_single_and_multiple_with_lines():
    text = "Intro [#42].\n\nDeux sources [#42, #57] et [#7;#8] puis [#3, 3]."
    found = find_citations(text)
    assert [(c.ids, c.line) for c in found] == [
        ((42,), 1),
        ((42, 57), 3),
        ((7, 8), 3),
        ((3,), 3),
    ]
    assert citation_at(text, text.index("#57")).ids == (42, 57)
    assert citation_at(text, 0) is None
    assert format_citation([42, 57, 42]) == "[#42, #57]"


def test_template_has_every_section_and_no_typed_figure():
    text = template(CONFIG)
    heads = [h.title for h in outline(text, CONFIG).headings]
    assert heads[:3] == [
        "Synthèse — Assises territoriales de la sécurité intérieure",
        "Introduction",
        "Méthode",
    ]
    for theme in CONFIG.themes:
        assert theme.label in heads
    assert heads[-2:] == ["Conclusion", "Annexe : chiffres"]
    assert heads.count("Constats") == heads.count("Propositions") == len(CONFIG.themes)
    assert "{{bilan}}" in text and "{{date_incertaine}}" in text and "{{tableaux}}" in text
    # Only the deadline date appears as digits: counts are placeholders.
    assert "20/01/2020" in text


def test_template_paragraphs_are_single_lines_the_editor_wraps():
    # A hard break inside a paragraph shows as a ragged short row in the wrapping editor.
    lines = template(CONFIG).split("\n")
    for line, following in zip(lines, lines[1:], strict=False):
        if line.strip() and following.strip():
            assert following.startswith(("#", "-", "*", "{{")) or line.startswith("#"), line


def test_outline_points_count_distinct_supporting_contributions():
    text = (
        "## Service rendu\n\n### Constats\n\n- Horaires trop courts [#2, #3]\n"
        "  suite du constat [#3, #9]\n- Sans source\n\n### Propositions\n\n"
        "- Ouvrir plus tard [#2]\n\n## Lien population-forces\n\n### Propositions\n\n"
        "- Réunions de quartier [#3]\n"
    )
    pts = outline(text, CONFIG).points
    assert [(p.kind, p.theme, p.support, p.line) for p in pts] == [
        ("constat", "service", 3, 5),
        ("constat", "service", 0, 7),
        ("proposition", "service", 1, 11),
        ("proposition", "lien", 1, 17),
    ]
    assert pts[0].ids == (2, 3, 9)


def test_theme_at_line_follows_sections():
    text = template(CONFIG)
    lines = text.split("\n")
    service = lines.index("## Service rendu") + 1
    assert theme_at_line(text, service + 3, CONFIG) == "service"
    assert theme_at_line(text, 3, CONFIG) is None
    conclusion = lines.index("## Conclusion") + 1
    assert theme_at_line(text, conclusion + 1, CONFIG) is None


def test_add_point_files_bullet_under_the_right_subsection():
    text = template(CONFIG)
    new, line = add_point(text, CONFIG, "service", "proposition", "Plus de patrouilles", [5, 2])
    lines = new.split("\n")
    assert lines[line - 1] == "- Plus de patrouilles [#5, #2]"
    assert theme_at_line(new, line, CONFIG) == "service"
    # the lone template placeholder "- …" was replaced, not kept beside it
    section = new.split("## Service rendu")[1].split("## Lien")[0]
    assert section.split("### Propositions")[1].count("- …") == 0
    again, line2 = add_point(new, CONFIG, "service", "proposition", "Deuxième", [3])
    assert again.split("\n")[line2 - 1] == "- Deuxième [#3]"
    assert line2 == line + 1
    pts = [p for p in outline(again, CONFIG).points if p.theme == "service"]
    assert [(p.kind, p.ids) for p in pts if p.kind == "proposition"] == [
        ("proposition", (5, 2)),
        ("proposition", (3,)),
    ]


def test_add_point_creates_missing_sections():
    text = "# Synthèse\n\n## Conclusion\n\nFin.\n"
    new, line = add_point(text, CONFIG, "lien", "constat", "Peu de contacts", [4])
    assert new.split("\n")[line - 1] == "- Peu de contacts [#4]"
    assert new.index("## Lien population-forces") < new.index("## Conclusion")
    new2, line2 = add_point(new, CONFIG, "lien", "proposition", "Des rencontres", [4])
    assert new2.split("\n")[line2 - 1] == "- Des rencontres [#4]"
    assert new2.index("### Constats") < new2.index("### Propositions")


def test_quotation_is_a_markdown_quote_followed_by_its_citation():
    assert quotation("il faut  plus\nde patrouilles", 12) == (
        "> « il faut plus de patrouilles » [#12]\n"
    )


def test_bar_scales():
    assert bar(0, 10) == ""
    assert bar(10, 10, width=4) == "████"
    assert bar(5, 10, width=4) == "██"
    assert len(bar(1, 1000, width=4)) == 1


def test_weeks_are_counted_in_the_consultation_timezone():
    from datetime import UTC, datetime

    from assises_tui.domain.models import Contribution, Status
    from assises_tui.synthesis.figures import compute_figures, week_label

    def item(cid, when, **kw):
        return Contribution(cid, f"<{cid}@x>", when, False, "", "", "", None, None, **kw)

    items = [
        # Sunday 23:30 UTC is already Monday 00:30 in Paris: ISO week 4, not 3.
        item(1, datetime(2020, 1, 19, 23, 30, tzinfo=UTC), themes=("service/accueil", "service")),
        item(2, datetime(2020, 1, 19, 22, 30, tzinfo=UTC), contributor_category="elu"),
        item(3, None, status=Status.DUPLICATE),
        item(4, None),
    ]
    fig = compute_figures(items, CONFIG)
    assert fig.by_week == [("2020-W03", 1), ("2020-W04", 1), ("Date inconnue", 1)]
    assert dict(fig.by_theme)["Service rendu"] == 1  # sub-theme and theme counted once
    assert fig.by_category == [("Élu", 1), ("Non renseignée", 2)]
    assert week_label("2020-W04") == "2020, semaine 4 (du 20/01)"
