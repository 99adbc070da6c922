"""Composition root of the identity use cases: each service wired to its PostgreSQL adapters.

Adapters run on the request's connection (one transaction for writes, committed by the edge),
except the security log, which is handed the engine for the records that must outlive a failed
request (login failures, refresh-token family revocations). `crm create-tenant`/`create-user`
build the same services on their own connection.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.api.deps import AppSettings, Connection, get_engine
from app.auth.jwt_tokens import issue_access_token
from app.domain.identity.api_tokens import ApiTokenService
from app.domain.identity.audit_log import AuditLogService
from app.domain.identity.auth import AuthPolicy, AuthService
from app.domain.identity.departments import DepartmentService
from app.domain.identity.regions import RegionService
from app.domain.identity.roles import RoleService
from app.domain.identity.tenants import TenantService
from app.domain.identity.users import UserService
from app.repositories.api_tokens import PgApiTokenRepository
from app.repositories.audit import PgAuditTrail
from app.repositories.audit_query import PgAuditLogReader
from app.repositories.departments import PgDepartmentRepository
from app.repositories.regions import PgRegionRepository
from app.repositories.roles import PgRoleRepository
from app.repositories.sessions import PgSecurityLog, PgSessionRepository
from app.repositories.tenants import PgTenantRepository
from app.repositories.users import PgUserRepository
from app.settings import Settings

Engine = Annotated[AsyncEngine, Depends(get_engine)]


def build_auth_service(conn: AsyncConnection, engine: AsyncEngine, settings: Settings) -> AuthService:
    policy = AuthPolicy(
        refresh_token_days=settings.refresh_token_days,
        max_failures_per_address=settings.login_max_failures_per_address,
        failure_window_minutes=settings.login_failure_window_minutes,
        max_failures_per_account_hour=settings.login_max_failures_per_account_hour,
    )
    return AuthService(
        PgUserRepository(conn), PgTenantRepository(conn), PgSessionRepository(conn), PgSecurityLog(conn, engine),
        PgAuditTrail(conn), partial(issue_access_token, settings), policy,
    )  # fmt: skip


def build_tenant_service(conn: AsyncConnection, engine: AsyncEngine, settings: Settings) -> TenantService:
    return TenantService(
        PgTenantRepository(conn), PgUserRepository(conn), PgAuditTrail(conn),
        build_auth_service(conn, engine, settings), allow_signup=settings.allow_signup,
    )  # fmt: skip


def build_user_service(conn: AsyncConnection) -> UserService:
    return UserService(
        PgUserRepository(conn), PgRoleRepository(conn), PgDepartmentRepository(conn), PgRegionRepository(conn),
        PgSessionRepository(conn), PgApiTokenRepository(conn), PgAuditTrail(conn),
    )  # fmt: skip


def auth_service(conn: Connection, engine: Engine, settings: AppSettings) -> AuthService:
    return build_auth_service(conn, engine, settings)


def tenant_service(conn: Connection, engine: Engine, settings: AppSettings) -> TenantService:
    return build_tenant_service(conn, engine, settings)


def user_service(conn: Connection) -> UserService:
    return build_user_service(conn)


def department_service(conn: Connection) -> DepartmentService:
    return DepartmentService(PgDepartmentRepository(conn), PgAuditTrail(conn))


def region_service(conn: Connection) -> RegionService:
    return RegionService(PgRegionRepository(conn), PgAuditTrail(conn))


def role_service(conn: Connection) -> RoleService:
    return RoleService(PgRoleRepository(conn), PgRegionRepository(conn), PgAuditTrail(conn))


def api_token_service(conn: Connection) -> ApiTokenService:
    return ApiTokenService(PgApiTokenRepository(conn), PgAuditTrail(conn))


def audit_log_service(conn: Connection) -> AuditLogService:
    return AuditLogService(PgAuditLogReader(conn))


Auth = Annotated[AuthService, Depends(auth_service)]
Tenants = Annotated[TenantService, Depends(tenant_service)]
Users = Annotated[UserService, Depends(user_service)]
Departments = Annotated[DepartmentService, Depends(department_service)]
Regions = Annotated[RegionService, Depends(region_service)]
Roles = Annotated[RoleService, Depends(role_service)]
ApiTokens = Annotated[ApiTokenService, Depends(api_token_service)]
AuditLog = Annotated[AuditLogService, Depends(audit_log_service)]
