"""Composition root: each use-case service wired to its PostgreSQL adapters on the request's
connection. Routers depend on these aliases and nothing lower."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.api.deps import Connection
from app.domain.activities.service import ActivityService
from app.domain.contacts.service import ContactService
from app.domain.custom_fields.service import CustomFieldService
from app.domain.customers.service import CustomerService
from app.domain.timeline.service import TimelineService
from app.repositories.activities import PgActivityRepository
from app.repositories.audit import PgAuditTrail, PgEventOutbox
from app.repositories.contacts import PgContactRepository
from app.repositories.custom_fields import PgCustomFieldRepository
from app.repositories.customers import PgCustomerRepository, PgWriteContextRepository
from app.repositories.timeline import PgTimelineRepository


def customer_service(conn: Connection) -> CustomerService:
    return CustomerService(
        PgCustomerRepository(conn),
        PgWriteContextRepository(conn),
        PgAuditTrail(conn),
        PgEventOutbox(conn),
        contacts=contact_service(conn),
    )


def contact_service(conn: Connection) -> ContactService:
    return ContactService(
        PgContactRepository(conn),
        PgCustomerRepository(conn),
        PgWriteContextRepository(conn),
        PgAuditTrail(conn),
        PgEventOutbox(conn),
    )


def activity_service(conn: Connection) -> ActivityService:
    return ActivityService(
        PgActivityRepository(conn),
        PgCustomerRepository(conn),
        PgContactRepository(conn),
        PgWriteContextRepository(conn),
        PgAuditTrail(conn),
        PgEventOutbox(conn),
    )


def timeline_service(conn: Connection) -> TimelineService:
    return TimelineService(PgCustomerRepository(conn), PgTimelineRepository(conn))


def custom_field_service(conn: Connection) -> CustomFieldService:
    return CustomFieldService(PgCustomFieldRepository(conn), PgAuditTrail(conn))


Customers = Annotated[CustomerService, Depends(customer_service)]
CustomFields = Annotated[CustomFieldService, Depends(custom_field_service)]
Contacts = Annotated[ContactService, Depends(contact_service)]
Activities = Annotated[ActivityService, Depends(activity_service)]
Timeline = Annotated[TimelineService, Depends(timeline_service)]
