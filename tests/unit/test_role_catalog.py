"""The role editor's permission catalogue (frontend/src/pages/admin/roleCatalog.ts) is the
server's (app/auth/permissions.py): every resource and action, and exactly the ranged resources."""

from __future__ import annotations

import re
from pathlib import Path

from app.auth.permissions import RANGED_RESOURCES, Action, Resource

CATALOG = Path(__file__).resolve().parents[2] / "frontend" / "src" / "pages" / "admin" / "roleCatalog.ts"


def _list(name: str) -> list[str]:
    source = CATALOG.read_text(encoding="utf-8")
    body = re.search(rf"export const {name}\b[^=]*= \[(.*?)\]", source, re.S)
    assert body, f"{name} not found in {CATALOG.name}"
    return re.findall(r"'([a-z_]+)'", body.group(1))


def test_the_client_catalogue_matches_the_server() -> None:
    assert _list("RESOURCES") == [r.value for r in Resource]
    assert _list("ACTIONS") == [a.value for a in Action]
    assert sorted(_list("RANGED_RESOURCES")) == sorted(r.value for r in RANGED_RESOURCES)
