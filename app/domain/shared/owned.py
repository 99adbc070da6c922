"""The use cases every owned record shares (customers, contacts, activities, and the leads and
opportunities to come): get and list within the caller's data range, create with an owner,
patch with optimistic locking, assign, move one owner's book, soft delete and restore. Each write
appends to the audit log and publishes `<entity>.<event>` to the outbox in the caller's
transaction.

A module subclasses `OwnedRecords`, names its resource and entity, and fills in the hooks
`_prepare_create` / `_prepare_update` (validation, custom fields, duplicates, links)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar, Generic, Protocol, TypeVar
from uuid import UUID

from app.auth.principal import Principal
from app.domain.custom_fields.entities import CustomFieldDef, parse_filters
from app.domain.shared.access import scope_or_empty
from app.domain.shared.conditions import CUSTOM_ENTITY, RESOURCE_ENTITY, Group, parse_json_tree, schema_for
from app.domain.shared.errors import NotFound, PermissionDenied, PreconditionFailed, ValidationFailed
from app.domain.shared.ownership import UserDirectory, owner_department, set_new_owner
from app.domain.shared.paging import Page
from app.domain.shared.ports import AuditTrail, EventOutbox, NewEvent, diff
from app.domain.shared.scope import DataScope


class OwnedRecord(Protocol):
    @property
    def id(self) -> UUID: ...
    @property
    def owner_id(self) -> UUID | None: ...
    @property
    def version(self) -> int: ...


R = TypeVar("R", bound=OwnedRecord)


class OwnedRepository(Protocol[R]):
    async def get(
        self, scope: DataScope, record_id: UUID, *, for_update: bool = False, deleted: bool = False
    ) -> R | None: ...
    async def list_page(self, scope: DataScope, query: Any) -> Page[R | dict[str, Any]]: ...
    async def insert(self, tenant_id: UUID, actor: UUID | None, values: dict[str, Any]) -> R: ...
    async def update(self, scope: DataScope, current: R, actor: UUID | None, values: dict[str, Any]) -> R: ...
    async def set_deleted(self, scope: DataScope, record_id: UUID, actor: UUID, *, deleted: bool) -> R | None: ...
    async def reassign_owner(
        self,
        scope: DataScope,
        from_owner: UUID,
        to_owner: UUID,
        department_id: UUID | None,
        actor: UUID,
        *,
        open_only: bool = False,
    ) -> list[UUID]: ...


class WriteContextRepository(UserDirectory, Protocol):
    async def write_context(self, tenant_id: UUID, entity: str) -> tuple[dict[str, Any], list[CustomFieldDef]]:
        """(tenant settings, live custom-field definitions of the entity), in one round trip."""
        ...


def fields_of(record: Any) -> dict[str, Any]:
    """A record's fields as a dict, for audit diffs and event payloads. Shallow, unlike
    dataclasses.asdict, whose deep copy cost a tenth of a create's CPU."""
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


# Bookkeeping columns every write changes; a diff of only these is no change.
_BOOKKEEPING = ("updated_at", "version")


class OwnedRecords(Generic[R]):
    resource: ClassVar[str]  # permissions and data ranges: "customers"
    entity: ClassVar[str]  # audit, events, messages: "customer"
    # A leaving owner's transfer moves only the records still being worked (open tickets, planned
    # tasks and appointments, leads not converted): the history stays with who made it.
    transfer_open_only: ClassVar[bool] = False

    def __init__(
        self, records: OwnedRepository[R], context: WriteContextRepository, audit: AuditTrail, outbox: EventOutbox
    ):
        self.records = records
        self.context = context
        self.audit = audit
        self.outbox = outbox

    # -- hooks -----------------------------------------------------------------------------

    async def _prepare_create(self, principal: Principal, values: dict[str, Any], *, allow_duplicate: bool) -> None:
        """Validate and complete a new record's values (the owner is already set)."""

    async def _prepare_update(
        self, principal: Principal, current: R, changes: dict[str, Any], *, allow_duplicate: bool
    ) -> None:
        """Validate and complete a patch of `current` (an owner change is already checked)."""

    # -- reads -----------------------------------------------------------------------------

    def _read_scope(self, principal: Principal) -> DataScope:
        """The records the caller may read (a module may widen it for reading only)."""
        return principal.scope(self.resource, "read")

    async def get(self, principal: Principal, record_id: UUID) -> R:
        found = await self.records.get(self._read_scope(principal), record_id)
        if found is None:
            raise NotFound(f"no such {self.entity}")
        return found

    async def list_page(
        self,
        principal: Principal,
        query: Any,
        custom_filters: dict[str, str] | None = None,
        where: str | None = None,
    ) -> Page[R | dict[str, Any]]:
        """A page within the caller's read range; `custom.<key>` filters are typed by the
        tenant's definitions (an unknown key or a bad value is a 422); `where` is a JSON condition
        tree (a report's drill-down), ANDed with the other filters (422 naming the bad condition)."""
        scope = self._read_scope(principal)
        if custom_filters:
            _, definitions = await self.context.write_context(principal.tenant_id, self.entity)
            query = replace(query, custom=parse_filters(definitions, custom_filters))
        if where is not None:
            if query.updated_since is not None or getattr(query, "sync_token", None) is not None:
                raise ValidationFailed.one("where", "is not taken by a sync feed (updated_since, sync_token)")
            query = replace(query, where=await self._where(principal, where))
        return await self.records.list_page(scope, query)

    async def _where(self, principal: Principal, raw: str) -> Group:
        entity = RESOURCE_ENTITY[self.resource]
        custom = {}
        if entity in CUSTOM_ENTITY:
            _, definitions = await self.context.write_context(principal.tenant_id, self.entity)
            custom = {entity: definitions}
        return parse_json_tree(raw, schema_for((entity,), custom), "where")

    # -- writes ----------------------------------------------------------------------------

    async def create(self, principal: Principal, values: dict[str, Any], *, allow_duplicate: bool = False) -> R:
        principal.require(self.resource, "create")
        await set_new_owner(principal, self.resource, self.context, values)
        await self._prepare_create(principal, values, allow_duplicate=allow_duplicate)
        record = await self.records.insert(principal.tenant_id, principal.user_id, values)
        await self._record(principal, "created", record, diff(None, fields_of(record)))
        return record

    async def update(
        self,
        principal: Principal,
        record_id: UUID,
        changes: dict[str, Any],
        *,
        expected_version: int | None = None,
        allow_duplicate: bool = False,
    ) -> R:
        scope = principal.scope(self.resource, "update")
        current = await self._locked(scope, record_id)
        if expected_version is not None and expected_version != current.version:
            raise PreconditionFailed(f"the {self.entity} is at version {current.version}, not {expected_version}")
        if "owner_id" in changes and changes["owner_id"] != current.owner_id:
            if not principal.can(self.resource, "assign"):
                raise PermissionDenied(f"changing owner_id requires the {self.resource}:assign permission")
            changes["department_id"] = await owner_department(principal, self.context, changes["owner_id"])
        await self._prepare_update(principal, current, changes, allow_duplicate=allow_duplicate)
        updated = await self.records.update(scope, current, principal.user_id, changes)
        changed = diff(fields_of(current), fields_of(updated))
        for name in _BOOKKEEPING:
            changed.pop(name, None)
        if changed:
            await self._record(principal, "assigned" if "owner_id" in changed else "updated", updated, changed)
        return updated

    async def assign(self, principal: Principal, record_id: UUID, owner_id: UUID) -> R:
        scope = principal.scope(self.resource, "assign")
        current = await self._locked(scope, record_id)
        department_id = await owner_department(principal, self.context, owner_id)
        updated = await self.records.update(
            scope, current, principal.user_id, {"owner_id": owner_id, "department_id": department_id}
        )
        changed = diff(fields_of(current), fields_of(updated))
        owner_change = {k: v for k, v in changed.items() if k in ("owner_id", "department_id")}
        await self._record(principal, "assigned", updated, owner_change)
        return updated

    async def transfer_owner(
        self, principal: Principal, from_owner: UUID, to_owner: UUID, department_id: UUID | None
    ) -> list[UUID]:
        """Move every live record of `from_owner` (or, for a module that says so, every open one)
        within the caller's assign range to `to_owner` (whose department the caller has
        resolved), each bumping its version, audited and published as `<entity>.assigned`;
        without the assign permission nothing moves."""
        scope = scope_or_empty(principal, self.resource, "assign")
        if scope.is_empty:
            return []
        moved = await self.records.reassign_owner(
            scope, from_owner, to_owner, department_id, principal.user_id, open_only=self.transfer_open_only
        )
        change = {"owner_id": {"before": from_owner, "after": to_owner}}
        for record_id in moved:
            await self._record_change(principal, "assigned", record_id, change)
        return moved

    async def delete(self, principal: Principal, record_id: UUID) -> None:
        scope = principal.scope(self.resource, "delete")
        deleted = await self.records.set_deleted(scope, record_id, principal.user_id, deleted=True)
        if deleted is None:
            raise NotFound(f"no such {self.entity}")
        await self._record(principal, "deleted", deleted, {"deleted": {"before": False, "after": True}})

    async def restore(self, principal: Principal, record_id: UUID) -> R:
        scope = principal.scope(self.resource, "delete")
        restored = await self.records.set_deleted(scope, record_id, principal.user_id, deleted=False)
        if restored is None:
            raise NotFound(f"no deleted {self.entity} with this id")
        await self._record(principal, "restored", restored, {"deleted": {"before": True, "after": False}})
        return restored

    # -- helpers ---------------------------------------------------------------------------

    async def _locked(self, scope: DataScope, record_id: UUID) -> R:
        """The live record within `scope`, locked for this transaction's update."""
        current = await self.records.get(scope, record_id, for_update=True)
        if current is None:
            raise NotFound(f"no such {self.entity}")
        return current

    async def _record(
        self,
        principal: Principal | None,
        event: str,
        record: R,
        changes: dict[str, Any],
        *,
        tenant_id: UUID | None = None,
        one_statement: bool = False,
    ) -> None:
        """Audit and publish `<entity>.<event>`; a creation's event carries the whole record.
        Without a principal (a public capture), the tenant is given and the actor is nobody.
        `one_statement`: the entry and its event in one round trip (for a use case holding a
        lock others wait on)."""
        payload = fields_of(record) if event == "created" else None
        await self._record_change(
            principal, event, record.id, changes, payload, tenant_id=tenant_id, one_statement=one_statement
        )

    async def _record_change(
        self,
        principal: Principal | None,
        event: str,
        record_id: UUID,
        changes: dict[str, Any],
        payload: dict[str, Any] | None = None,
        *,
        tenant_id: UUID | None = None,
        one_statement: bool = False,
    ) -> None:
        tenant = tenant_id if tenant_id is not None else principal.tenant_id if principal else None
        assert tenant is not None, "a record belongs to a tenant"
        name = f"{self.entity}.{event}"
        body = payload if payload is not None else {"id": record_id, "changes": changes}
        if one_statement:
            events = [NewEvent(name, self.entity, record_id, body)]
            await self.audit.record(principal, name, self.resource, record_id, changes, tenant_id=tenant, events=events)
            return
        await self.audit.record(principal, name, self.resource, record_id, changes, tenant_id=tenant)
        await self.outbox.publish(tenant, name, self.entity, record_id, body)
