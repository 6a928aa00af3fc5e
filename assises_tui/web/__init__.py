"""``assises serve``: the app in a web browser, one login per reviewer.

- ``accounts.py``: the accounts file (argon2 hashes, roles) kept in the workspace.
- ``sessions.py``: server-side sessions that expire, and the login throttle.
- ``pages.py`` and ``static/``: the French pages; every script, style and font is served
  from here (textual-serve's page links a font from another host: it is not used).
- ``server.py``: the aiohttp application (routes, login, logout, sessions, downloads).
- ``request_checks.py``: what a request is believed to be (client address and scheme,
  trusted proxies, the cookie's name, the Origin check) and the security headers.
- ``app_sockets.py``: the apps running for the sessions, one per open tab, relayed over
  their websockets.
- ``app_process.py``: one app process per browser session, started as the logged-in
  reviewer (the identity goes through its environment, never typed).

Nothing here imports Textual except the app process itself (``session_app.py``).
"""
