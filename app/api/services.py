"""Composition root: each use-case service wired to its PostgreSQL adapters on the request's
connection. Routers depend on these aliases and nothing lower."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.api.deps import Connection
from app.domain.custom_fields.service import CustomFieldService
from app.domain.customers.service import CustomerService
from app.repositories.audit import PgAuditTrail, PgEventOutbox
from app.repositories.custom_fields import PgCustomFieldRepository
from app.repositories.customers import PgCustomerRepository, PgWriteContextRepository


def customer_service(conn: Connection) -> CustomerService:
    return CustomerService(
        PgCustomerRepository(conn),
        PgWriteContextRepository(conn),
        PgAuditTrail(conn),
        PgEventOutbox(conn),
    )


def custom_field_service(conn: Connection) -> CustomFieldService:
    return CustomFieldService(PgCustomFieldRepository(conn), PgAuditTrail(conn))


Customers = Annotated[CustomerService, Depends(customer_service)]
CustomFields = Annotated[CustomFieldService, Depends(custom_field_service)]
