"""The French pages: login, the app page (textual-serve's terminal, our own words) and the
messages. Every value put in a page goes through ``html.escape``; the pages carry no inline
script or style (the Content-Security-Policy forbids them), only files under ``/static/``.
"""

from __future__ import annotations

from html import escape


def _page(title: str, body: str, *, nonce: str = "", scripts: tuple[str, ...] = ()) -> str:
    script_tags = "".join(
        f'<script src="/static/{escape(name)}" nonce="{escape(nonce)}"></script>'
        for name in scripts
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="same-origin">\n'
        f"<title>{escape(title)}</title>\n"
        '<link rel="icon" href="data:,">\n'
        '<link rel="stylesheet" href="/static/xterm.css">\n'
        '<link rel="stylesheet" href="/static/assises.css">\n'
        f"{script_tags}\n</head>\n{body}\n</html>\n"
    )


def login_page(consultation: str, message: str = "", user: str = "") -> str:
    alert = (
        f'<p class="message" role="alert" id="login-message">{escape(message)}</p>'
        if message
        else ""
    )
    body = f"""<body class="login">
<main class="card">
<h1>Assises</h1>
<p class="consultation">{escape(consultation)}</p>
<form method="post" action="/login">
<h2>Connexion</h2>
{alert}
<label for="user">Identifiant</label>
<input id="user" name="user" type="text" autocomplete="username" autocapitalize="none"
 spellcheck="false" required autofocus value="{escape(user)}">
<label for="password">Mot de passe</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Se connecter</button>
</form>
<p class="hint">Compte ou mot de passe oublié : adressez-vous au coordinateur de la consultation.</p>
</main>
</body>"""
    return _page("Connexion — Assises", body)


def app_page(
    consultation: str, user: str, role_label: str, websocket_url: str, nonce: str, font_size: int
) -> str:
    body = f"""<body class="app">
<header class="bar">
<span class="who">{escape(user)} <span class="role">({escape(role_label)})</span></span>
<span class="title">{escape(consultation)}</span>
<form method="post" action="/logout" class="logout"><button type="submit" id="logout">Se déconnecter</button></form>
</header>
<div class="dialog-container intro-dialog">
<div class="shade"></div>
<div class="intro" role="status"><div>Ouverture de l'application…</div></div>
</div>
<div class="dialog-container closed-dialog">
<div class="shade"></div>
<div class="intro" role="alert">
<div class="message">Session terminée.</div>
<p>L'application s'est fermée (ou la connexion au serveur a été perdue). Tout ce qui a été fait est enregistré.</p>
<button type="button" id="restart">Rouvrir l'application</button>
<form method="post" action="/logout"><button type="submit">Se déconnecter</button></form>
</div>
</div>
<div id="terminal" class="textual-terminal" role="application"
 aria-label="Application Assises"
 data-session-websocket-url="{escape(websocket_url)}"
 data-font-size="{font_size}"></div>
</body>"""
    return _page(
        f"{consultation} — Assises", body, nonce=nonce, scripts=("assises.js", "textual.js")
    )


def message_page(
    title: str, message: str, link: str = "/login", link_text: str = "Se connecter"
) -> str:
    body = f"""<body class="login">
<main class="card">
<h1>{escape(title)}</h1>
<p role="status">{escape(message)}</p>
<p><a href="{escape(link)}">{escape(link_text)}</a></p>
</main>
</body>"""
    return _page(f"{title} — Assises", body)
