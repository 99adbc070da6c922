"""The built web client (frontend/dist) served at `/` with a history fallback to index.html.

Installed as the router's default app, so it only sees what no route matched. Paths that belong to
the API (or its documentation and probes) never fall back: they keep answering problem+json 404.
"""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse
from starlette.types import Receive, Scope, Send

# First path segments that are never the client's.
RESERVED = frozenset({"api", "docs", "redoc", "openapi.json", "healthz", "readyz"})


# The client loads only its own scripts and talks only to this origin. Inline styles: Ant Design
# writes its CSS-in-JS into <style> elements.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Vite names built assets by content hash: they never change, so caches may keep them.
IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable", "Content-Security-Policy": CSP}
# The build's other files (icons ...) carry the client's policy as well.
OWN_FILES = {"Content-Security-Policy": CSP}
# index.html names the current assets: always revalidate it. (nosniff, Referrer-Policy and HSTS
# come from SecurityHeadersMiddleware, as on every response; its API policy is for what sets none.)
REVALIDATE = {"Cache-Control": "no-cache", "Content-Security-Policy": CSP}


def available(web_dir: Path) -> bool:
    return (web_dir / "index.html").is_file()


class SinglePageApp:
    """An ASGI app: a file of the build when the path names one, index.html for any other GET."""

    def __init__(self, web_dir: Path) -> None:
        self.root = web_dir.resolve()
        self.index = self.root / "index.html"

    def _file(self, path: str) -> Path | None:
        relative = path.lstrip("/")
        if not relative:
            return None
        candidate = (self.root / relative).resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            return None
        return candidate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise HTTPException(404)
        path: str = scope["path"]
        first = path.lstrip("/").split("/", 1)[0]
        if first in RESERVED or scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(404)
        found = self._file(path)
        if found is not None and found != self.index:
            response = FileResponse(found, headers=IMMUTABLE if path.startswith("/assets/") else OWN_FILES)
        else:
            response = FileResponse(self.index, headers=REVALIDATE, media_type="text/html")
        await response(scope, receive, send)
