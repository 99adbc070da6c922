"""The published contract: openapi/openapi.json is what the code serves, and every /api/v1
operation follows the house rules (DESIGN.md section 4).

Written over whatever operations exist, so that it keeps holding as routers are added:

- the committed document equals `app.openapi()` (regenerate with `crm openapi`);
- every /api/v1 operation has an explicit, unique, snake_case `<resource>_<verb>` operationId and
  exactly one tag;
- every operation except the public ones (login, refresh, signup) requires either an access token
  or an API token (`accessToken` / `apiToken`), with the same scopes on both alternatives, those
  scopes are real permissions, and they are exactly what the route's `requires(...)` enforces;
- every documented error response (4xx/5xx/default) of an /api/v1 operation is
  application/problem+json with the Problem schema.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.api import deps
from app.auth.permissions import ALL_PERMISSIONS

ROOT = Path(__file__).resolve().parents[2]
OPENAPI_FILE = ROOT / "openapi" / "openapi.json"
API_PREFIX = "/api/v1"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SCHEMES = {"accessToken", "apiToken"}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM = "application/problem+json"

# Operations anyone may call: they hand out the credentials (or check liveness, outside /api/v1).
PUBLIC_PATHS = {
    ("post", f"{API_PREFIX}/auth/login"),
    ("post", f"{API_PREFIX}/auth/refresh"),
    ("post", f"{API_PREFIX}/auth/signup"),
    ("post", f"{API_PREFIX}/signup"),
    # Forgot password, and the one-time invitation / reset link: the secret in the path is all it holds.
    ("post", f"{API_PREFIX}/auth/password-reset"),
    ("get", f"{API_PREFIX}/auth/password-links/{{token}}"),
    ("post", f"{API_PREFIX}/auth/password-links/{{token}}"),
    # A tenant's web forms post leads here with nothing but the form's key.
    ("post", f"{API_PREFIX}/public/lead-forms/{{form_key}}"),
    # A customer's satisfaction survey link: the token in the path is all it holds.
    ("get", f"{API_PREFIX}/public/surveys/{{token}}"),
    ("post", f"{API_PREFIX}/public/surveys/{{token}}"),
    # An event's public registration page (its random key), and a registrant's signed cancel link.
    ("get", f"{API_PREFIX}/public/campaigns/{{key}}"),
    ("post", f"{API_PREFIX}/public/campaigns/{{key}}/registrations"),
    ("get", f"{API_PREFIX}/public/registrations/{{token}}"),
    ("post", f"{API_PREFIX}/public/registrations/{{token}}/cancel"),
    # Campaign messages' signed links (open pixel, click redirect, one-click unsubscribe): the token
    # is all they hold; a provider's bounce report proves itself with the tenant's webhook secret.
    ("get", f"{API_PREFIX}/public/t/o/{{token}}"),
    ("get", f"{API_PREFIX}/public/t/c/{{token}}"),
    ("get", f"{API_PREFIX}/public/unsubscribe/{{token}}"),
    ("post", f"{API_PREFIX}/public/unsubscribe/{{token}}"),
    ("post", f"{API_PREFIX}/public/marketing/bounces/{{tenant_id}}"),
}
# Operations on the caller's own session/profile: authenticated, but no permission to hold.
SELF_SERVICE_PREFIXES = (f"{API_PREFIX}/auth/", f"{API_PREFIX}/me", f"{API_PREFIX}/notifications")

SNAKE_ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    # Through JSON, exactly as `crm openapi` writes it and a client reads it.
    return json.loads(json.dumps(app.openapi()))  # type: ignore[no-any-return]


def operations(document: dict[str, Any], api_only: bool = True) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, item in document.get("paths", {}).items():
        if api_only and not path.startswith(API_PREFIX + "/"):
            continue
        for method in HTTP_METHODS:
            if method in item:
                found.append((method, path, item[method]))
    return found


def api_routes(app: FastAPI) -> dict[tuple[str, str], APIRoute]:
    routes = {}
    for route in app.routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            for method in route.methods:
                routes[(method.lower(), route.path_format)] = route
    return routes


def enforced_scopes(dependant: Dependant, inherited: tuple[str, ...] = ()) -> set[str] | None:
    """The permissions `deps.authenticated` checks for this route (None: it never authenticates)."""
    scopes = (*inherited, *(dependant.own_oauth_scopes or ()))
    if dependant.call is deps.authenticated:
        return set(scopes)
    found: set[str] | None = None
    for sub in dependant.dependencies:
        below = enforced_scopes(sub, scopes)
        if below is not None:
            found = (found or set()) | below
    return found


def _describe_drift(committed: dict[str, Any], current: dict[str, Any]) -> str:
    def ops(doc: dict[str, Any]) -> dict[str, Any]:
        return {f"{m.upper()} {p}": op for m, p, op in operations(doc, api_only=False)}

    old, new = ops(committed), ops(current)
    lines = [f"+ {k} (in the code, not in the file)" for k in sorted(new.keys() - old.keys())]
    lines += [f"- {k} (in the file, gone from the code)" for k in sorted(old.keys() - new.keys())]
    lines += [f"~ {k} changed" for k in sorted(old.keys() & new.keys()) if old[k] != new[k]]
    old_s = committed.get("components", {}).get("schemas", {})
    new_s = current.get("components", {}).get("schemas", {})
    lines += [f"~ schema {k}" for k in sorted(old_s.keys() | new_s.keys()) if old_s.get(k) != new_s.get(k)]
    if not lines:  # info, security schemes, ...: show the text diff
        diff = difflib.unified_diff(
            json.dumps(committed, indent=2, sort_keys=True).splitlines(),
            json.dumps(current, indent=2, sort_keys=True).splitlines(),
            "openapi/openapi.json",
            "app.openapi()",
            lineterm="",
        )
        lines = list(diff)
    shown = lines[:40] + ([f"... and {len(lines) - 40} more"] if len(lines) > 40 else [])
    return "\n".join(shown)


async def test_committed_document_is_what_the_app_serves(document: dict[str, Any]) -> None:
    assert OPENAPI_FILE.exists(), "openapi/openapi.json is missing: run `crm openapi` (make openapi) and commit it"
    committed = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
    if committed != document:
        pytest.fail(
            "openapi/openapi.json is stale: run `crm openapi` (or `make openapi`) and commit the result.\n"
            + _describe_drift(committed, document),
            pytrace=False,
        )


async def test_served_document_is_the_published_one(app: FastAPI, document: dict[str, Any]) -> None:
    # /openapi.json (what /docs and generated clients read) is the customized document.
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        r = await client.get("/openapi.json")
    assert r.status_code == 200
    assert r.json() == document
    assert document["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail"]


async def test_operation_ids_are_explicit_unique_snake_case(app: FastAPI, document: dict[str, Any]) -> None:
    problems: list[str] = []
    all_ids = [op.get("operationId") for _, _, op in operations(document, api_only=False)]
    for op_id, count in Counter(all_ids).items():
        if count > 1:
            problems.append(f"operationId {op_id!r} is used {count} times")
    routes = api_routes(app)
    for method, path, op in operations(document):
        where = f"{method.upper()} {path}"
        op_id = op.get("operationId")
        route = routes.get((method, path))
        if route is not None and route.operation_id is None:
            problems.append(f"{where}: no explicit operation_id= (got the fallback {op_id!r})")
        if not op_id or not SNAKE_ID.match(op_id):
            problems.append(f"{where}: operationId {op_id!r} is not snake_case <resource>_<verb>")
            continue
        # <resource>_<verb>: it starts with its module (the tag) or a resource segment of the path
        # (customers_list, auth_signup for /signup, contacts_create under /customers/{id}/, ...).
        resources = [seg.replace("-", "_") for seg in path[len(API_PREFIX) + 1 :].split("/") if seg[:1] not in "{"]
        resources += [tag.replace("-", "_") for tag in op.get("tags") or []]
        if not any(op_id.startswith(r + "_") and len(op_id) > len(r) + 1 for r in resources):
            problems.append(f"{where}: operationId {op_id!r} starts with no tag or path resource {resources}")
    assert not problems, "\n".join(problems)


async def test_schema_names_are_plain(document: dict[str, Any]) -> None:
    """Two models of one name (two modules' CommentOut, say) make FastAPI publish module-path
    names that generated clients then carry: every schema needs a name of its own."""
    mangled = [name for name in document["components"]["schemas"] if "__" in name]
    assert mangled == [], f"rename the models behind {mangled}"


async def test_every_operation_has_exactly_one_tag(document: dict[str, Any]) -> None:
    problems = [
        f"{m.upper()} {p}: tags {op.get('tags')}" for m, p, op in operations(document) if len(op.get("tags") or []) != 1
    ]
    assert not problems, "every /api/v1 operation needs exactly one tag (its module):\n" + "\n".join(problems)


async def test_security_requirements_name_both_schemes_and_the_scopes(app: FastAPI, document: dict[str, Any]) -> None:
    schemes = document.get("components", {}).get("securitySchemes", {})
    routes = api_routes(app)
    problems: list[str] = []
    for method, path, op in operations(document):
        where = f"{method.upper()} {path}"
        security = op.get("security") or []
        route = routes.get((method, path))
        enforced = enforced_scopes(route.dependant) if route is not None else None
        if (method, path) in PUBLIC_PATHS:
            if security or enforced is not None:
                problems.append(f"{where}: public, yet requires credentials ({security}, enforced {enforced})")
            continue
        if not security:
            problems.append(f"{where}: no security requirement (use requires(...) from app/api/deps.py)")
            continue
        names = [name for req in security for name in req]
        if sorted(names) != sorted(SCHEMES) or any(len(req) != 1 for req in security):
            problems.append(f"{where}: security must be the alternatives accessToken | apiToken, got {security}")
            continue
        scope_sets = [sorted(scopes) for req in security for scopes in req.values()]
        if scope_sets[0] != scope_sets[1]:
            problems.append(f"{where}: the two schemes list different scopes {security}")
        scopes = set(scope_sets[0])
        unknown = scopes - ALL_PERMISSIONS
        if unknown:
            problems.append(f"{where}: scopes not in the permission catalogue: {sorted(unknown)}")
        if not scopes and not path.startswith(SELF_SERVICE_PREFIXES):
            problems.append(f"{where}: authenticated but requires no permission (use requires('<resource>:<action>'))")
        if route is not None and enforced != scopes:
            problems.append(f"{where}: documents scopes {sorted(scopes)}, the route enforces {enforced}")
    if any(op.get("security") for _, _, op in operations(document)):
        for name in sorted(SCHEMES):
            scheme = schemes.get(name, {})
            if scheme.get("type") != "http" or scheme.get("scheme") != "bearer":
                problems.append(f"securitySchemes.{name} must be an HTTP bearer scheme, got {scheme}")
    assert not problems, "\n".join(problems)


async def test_error_responses_are_problem_json(document: dict[str, Any]) -> None:
    problems: list[str] = []
    for method, path, op in operations(document):
        for status, response in op.get("responses", {}).items():
            if not (status == "default" or status[0] in "45"):
                continue
            if "$ref" in response:  # a shared response (the 429 of every authenticated operation)
                response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
            content = response.get("content") or {}
            where = f"{method.upper()} {path} {status}"
            if set(content) != {PROBLEM}:
                problems.append(f"{where}: content types {sorted(content)}, expected only {PROBLEM}")
            elif content[PROBLEM].get("schema") != PROBLEM_REF:
                problems.append(f"{where}: schema {content[PROBLEM].get('schema')}, expected {PROBLEM_REF}")
    assert not problems, "error responses must be problem+json (app.api.errors.problem_responses):\n" + "\n".join(
        problems
    )
