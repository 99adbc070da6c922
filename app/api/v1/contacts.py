"""/api/v1/contacts: thin HTTP shapes around ContactService."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response, record_response
from app.api.services import Contacts
from app.api.v1.lifecycle import lifecycle_routes
from app.api.v1.params import (
    AllowDuplicate,
    CursorParam,
    IfMatch,
    Limit,
    SearchParam,
    SyncTokenParam,
    WhereParam,
    custom_filters,
    expected_version,
    owner_filter,
    page_body,
)
from app.api.v1.schemas.contacts import ContactCreate, ContactOut, ContactPage, ContactPatch
from app.api.v1.schemas.sync import FEED_DESCRIPTION, UPDATED_SINCE_DOC
from app.auth.principal import Principal
from app.domain.contacts.entities import ContactQuery
from app.domain.shared.paging import DEFAULT_LIMIT

router = APIRouter(route_class=IdempotentRoute, prefix="/contacts", tags=["contacts"])

READ = Annotated[Principal, requires("contacts:read")]
CREATE = Annotated[Principal, requires("contacts:create")]
UPDATE = Annotated[Principal, requires("contacts:update")]
DELETE = Annotated[Principal, requires("contacts:delete")]
ASSIGN = Annotated[Principal, requires("contacts:assign")]


_one = partial(record_response, collection="contacts")


@router.get(
    "",
    operation_id="contacts_list",
    response_model=ContactPage,
    summary="List contacts in your data range",
    description="Filters combine with AND. `custom.<key>=<value>` filters on a custom field. "
    + FEED_DESCRIPTION.lstrip(),
    responses=problem_responses(401, 403, 410, 422),
)
async def list_contacts(
    request: Request,
    caller: READ,
    service: Contacts,
    owner: Annotated[str | None, Query(max_length=36, description="`me` or a user id")] = None,
    department: UUID | None = None,
    customer: Annotated[UUID | None, Query(description="Contacts of this customer")] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    updated_since: Annotated[datetime | None, Query(description=UPDATED_SINCE_DOC)] = None,
    sync_token: SyncTokenParam = None,
    q: SearchParam = None,
    sort: Annotated[
        str,
        Query(max_length=20, description="updated_at, created_at or name; prefix - for descending"),
    ] = "-updated_at",
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
    where: WhereParam = None,
) -> Response:
    query = ContactQuery(
        owner_id=owner_filter(owner, caller),
        department_id=department,
        customer_id=customer,
        tag=tag,
        created_from=created_from,
        created_to=created_to,
        updated_since=updated_since,
        sync_token=sync_token,
        q=q,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    page = await service.list_page(caller, query, custom_filters(request), where)
    return json_response(page_body(page))


@router.post(
    "",
    operation_id="contacts_create",
    status_code=201,
    response_model=ContactOut,
    summary="Create a contact",
    responses=problem_responses(401, 403, 409, 413, 422),
)
async def create_contact(
    body: ContactCreate,
    caller: CREATE,
    service: Contacts,
    allow_duplicate: AllowDuplicate = False,
) -> Response:
    return _one(await service.create(caller, body.model_dump(), allow_duplicate=allow_duplicate), 201)


@router.get(
    "/{contact_id}",
    operation_id="contacts_get",
    response_model=ContactOut,
    summary="Get a contact",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_contact(contact_id: UUID, caller: READ, service: Contacts) -> Response:
    return _one(await service.get(caller, contact_id))


@router.patch(
    "/{contact_id}",
    operation_id="contacts_update",
    response_model=ContactOut,
    summary="Change some fields of a contact",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def update_contact(
    contact_id: UUID,
    body: ContactPatch,
    caller: UPDATE,
    service: Contacts,
    if_match: IfMatch = None,
    allow_duplicate: AllowDuplicate = False,
) -> Response:
    updated = await service.update(
        caller,
        contact_id,
        body.changes(),
        expected_version=expected_version(if_match),
        allow_duplicate=allow_duplicate,
    )
    return _one(updated)


lifecycle_routes(router, "contacts", "contact", Contacts, ContactOut)
