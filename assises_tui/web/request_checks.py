"""What the web server believes about a request: who sent it, over what, from which site.

A client's address and scheme come from the connection, or from ``X-Forwarded-For`` /
``X-Forwarded-Proto`` only when the connection is from a trusted reverse proxy. The
session cookie is named ``__Host-…`` under TLS. A request passes the Origin check when its
``Origin`` (or, without one, its ``Sec-Fetch-Site``) says it comes from this server. Every
response gets the security headers: a strict Content-Security-Policy (nothing from another
host, no inline script or style without the page's nonce), ``nosniff``, no framing, no
referrer to other sites.
"""

from __future__ import annotations

import ipaddress

from aiohttp import web

COOKIE = "assises_session"
#: Under TLS the cookie takes the ``__Host-`` prefix: the browser then refuses it unless it
#: is Secure, for this exact host and path ``/`` (no sub-domain can plant or read it).
TLS_COOKIE = "__Host-assises_session"


class RequestChecks:
    def __init__(self, *, tls: bool, forwarded_allow: frozenset[str]) -> None:
        self.tls = tls
        #: Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed.
        self.forwarded_allow = forwarded_allow

    def _from_proxy(self, request: web.Request) -> bool:
        return bool(self.forwarded_allow) and request.remote in self.forwarded_allow

    def client(self, request: web.Request) -> str:
        if self._from_proxy(request):
            forwarded = request.headers.get("X-Forwarded-For", "")
            last = forwarded.split(",")[-1].strip()  # the hop our proxy saw
            try:
                return str(ipaddress.ip_address(last))
            except ValueError:
                pass
        return request.remote or "?"

    def secure(self, request: web.Request) -> bool:
        if self.tls:
            return True
        if self._from_proxy(request):
            return request.headers.get("X-Forwarded-Proto", "").lower() == "https"
        return False

    def origin(self, request: web.Request) -> str:
        return f"{'https' if self.secure(request) else 'http'}://{request.host}"

    def cookie_name(self, request: web.Request) -> str:
        return TLS_COOKIE if self.secure(request) else COOKIE

    def token(self, request: web.Request) -> str | None:
        return request.cookies.get(self.cookie_name(request))

    def same_origin(self, request: web.Request, *, required: bool) -> bool:
        origin = request.headers.get("Origin")
        if origin is None or origin == "null":
            if required or origin == "null":
                return False
            # No Origin (a client that is not a browser): a browser's Fetch Metadata still counts.
            return request.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none")
        return origin == self.origin(request)

    async def add_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", content_security_policy())
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = (
            "same-origin"  # no-referrer would make form posts say Origin: null
        )
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if not request.path.startswith("/static/"):
            headers["Cache-Control"] = "no-store"
        if self.secure(request):
            headers["Strict-Transport-Security"] = "max-age=31536000"


def content_security_policy(nonce: str = "") -> str:
    """Everything from this server only; scripts and ``<style>`` elements also need the
    page's nonce (no inline script or style otherwise, no eval)."""
    source = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    return (
        f"default-src 'none'; script-src {source}; style-src {source}; "
        "font-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
