"""/api/v1/users: user administration."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response, page_response, record_response
from app.api.services import Books, Users
from app.api.v1.params import CursorParam, IfMatch, Limit, expected_version
from app.api.v1.schemas.identity import (
    BookTransferBody,
    BookTransferResult,
    NoNul,
    SessionList,
    UserCreate,
    UserOut,
    UserPage,
    UserPatch,
)
from app.auth.principal import Principal
from app.domain.identity.entities import UserQuery
from app.domain.shared.book import BookKind
from app.domain.shared.paging import DEFAULT_LIMIT

router = APIRouter(route_class=IdempotentRoute, prefix="/users", tags=["users"])

READ = Annotated[Principal, requires("users:read")]
CREATE = Annotated[Principal, requires("users:create")]
MANAGE = Annotated[Principal, requires("users:manage")]


_one = partial(record_response, collection="users")


@router.get(
    "",
    operation_id="users_list",
    response_model=UserPage,
    summary="List the tenant's users",
    responses=problem_responses(401, 403, 422),
)
async def list_users(
    caller: READ,
    service: Users,
    q: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Part of the name or email"), NoNul
    ] = None,
    department: Annotated[UUID | None, Query(description="Members of this department")] = None,
    active: bool | None = None,
    sort: Annotated[
        str, Query(max_length=20, description="name, email, created_at or updated_at; - descends")
    ] = "name",
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    query = UserQuery(q=q, department_id=department, active=active, sort=sort, limit=limit, cursor=cursor)
    page = await service.list(caller, query)
    return page_response(page.items, page.next_cursor)


@router.post(
    "",
    operation_id="users_create",
    status_code=201,
    response_model=UserOut,
    summary="Create a user and mail them an invitation",
    description="The account has no password (`password_set` false): the user is mailed a one-time invitation "
    "link (valid CRM_INVITATION_LINK_HOURS) and chooses one. Assigning roles (`role_ids`) needs users:manage as "
    "well, and only roles whose permissions and data ranges you hold yourself (403 otherwise; the owner may grant "
    "any).",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_user(body: UserCreate, caller: CREATE, service: Users) -> Response:
    values = body.model_dump(exclude={"role_ids"})
    return _one(await service.create(caller, values, body.role_ids), 201)


@router.get(
    "/{user_id}",
    operation_id="users_get",
    response_model=UserOut,
    summary="Get a user",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_user(user_id: UUID, caller: READ, service: Users) -> Response:
    return _one(await service.get(caller, user_id))


@router.patch(
    "/{user_id}",
    operation_id="users_update",
    response_model=UserOut,
    summary="Change some fields of a user",
    description="A new department carries the user's customers, contacts and activities along. Fields need "
    "users:update; `role_ids` needs users:manage, and roles given or taken must be within what you hold (the "
    "owner may change any; the security administrator may assign any role to others); nobody changes their own "
    "roles. Changing the e-mail of a user who holds more than you is refused (403), the owner aside.",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def update_user(
    user_id: UUID, body: UserPatch, caller: READ, service: Users, if_match: IfMatch = None
) -> Response:
    return _one(await service.update(caller, user_id, body.changes(), expected_version(if_match)))


@router.post(
    "/{user_id}/password-reset",
    operation_id="users_force_password_reset",
    response_model=UserOut,
    summary="Force a password reset: the password stops working and the user is mailed a link",
    description="Ends every session of the user at once. The link (valid CRM_RESET_LINK_MINUTES) lets the user "
    "choose a new password; no administrator ever sets one. Needs users:update and users:manage.",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def force_password_reset(user_id: UUID, caller: MANAGE, service: Users) -> Response:
    return _one(await service.force_password_reset(caller, user_id))


@router.post(
    "/{user_id}/invitation",
    operation_id="users_invite_again",
    response_model=UserOut,
    summary="Mail a fresh invitation to a user who has not chosen a password yet",
    description="The earlier invitation link stops working. 409 once the user has set a password.",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def invite_again(user_id: UUID, caller: CREATE, service: Users) -> Response:
    return _one(await service.invite_again(caller, user_id))


@router.post(
    "/{user_id}/deactivate",
    operation_id="users_deactivate",
    response_model=UserOut,
    summary="Deactivate a user: sign-in refused, sessions and API tokens ended at once",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def deactivate_user(user_id: UUID, caller: MANAGE, service: Users) -> Response:
    return _one(await service.deactivate(caller, user_id))


@router.post(
    "/{user_id}/activate",
    operation_id="users_activate",
    response_model=UserOut,
    summary="Let a deactivated user sign in again",
    responses=problem_responses(401, 403, 404, 422),
)
async def activate_user(user_id: UUID, caller: MANAGE, service: Users) -> Response:
    return _one(await service.activate(caller, user_id))


@router.get(
    "/{user_id}/sessions",
    operation_id="users_list_sessions",
    response_model=SessionList,
    summary="A user's signed-in devices (live sessions)",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_user_sessions(user_id: UUID, caller: MANAGE, service: Users) -> Response:
    return json_response({"items": await service.list_sessions(caller, user_id)})


@router.delete(
    "/{user_id}/sessions",
    operation_id="users_end_sessions",
    status_code=204,
    response_class=Response,
    summary="Sign a user out everywhere: end all of their sessions at once",
    description="Refresh tokens stop working and access tokens are refused from the next request. "
    "API tokens are left alone (revoke them, or deactivate the user).",
    responses=problem_responses(401, 403, 404, 422),
)
async def end_user_sessions(user_id: UUID, caller: MANAGE, service: Users) -> Response:
    await service.end_sessions(caller, user_id)
    return Response(status_code=204)


@router.post(
    "/{user_id}/transfer",
    operation_id="users_transfer_book",
    response_model=BookTransferResult,
    summary="Move a (leaving) user's book to another user: customers, contacts, leads, deals, open work, tickets",
    description="One transaction. Each kind moved needs `<kind>:assign` and moves what that assign range "
    "reaches; each record's owner and department change together, its version counts up, and it is audited "
    "and published as `<entity>.assigned`. Open work only for leads (not converted), activities (planned tasks "
    "and appointments) and tickets (new, open, pending).",
    responses=problem_responses(401, 403, 404, 422),
)
async def transfer_book(user_id: UUID, body: BookTransferBody, caller: READ, service: Books) -> Response:
    kinds = None if body.kinds is None else [BookKind(kind) for kind in body.kinds]
    moved = await service.transfer(caller, user_id, body.to_owner_id, kinds)
    counts = {kind.value: len(ids) for kind, ids in moved.items()}
    return json_response({"moved": counts, "total": sum(counts.values())})
