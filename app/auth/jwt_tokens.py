"""Access tokens: HS256 JWTs with a `kid`, signed by the first configured key, verified by any.

Decoding passes `algorithms` explicitly, requires exp/iat/sub/aud/iss, and looks the key up only
among the configured kids, so `alg: none`, forged or unknown-key tokens never verify.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from jose import jwt
from jose.exceptions import JOSEError

from app.domain.shared.clock import utcnow
from app.domain.shared.errors import Unauthenticated
from app.domain.shared.ids import new_id
from app.settings import Settings

ALGORITHM = "HS256"
ACCESS = "access"


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: UUID
    tenant_id: UUID
    scopes: frozenset[str]
    jti: UUID
    issued_at: int
    expires_at: int


def issue_access_token(settings: Settings, *, user_id: UUID, tenant_id: UUID, scopes: set[str] | frozenset[str]) -> tuple[str, int]:
    """Return (token, lifetime in seconds)."""
    now = utcnow()
    lifetime = int(timedelta(minutes=settings.access_token_minutes).total_seconds())
    kid, secret = settings.signing_key
    claims = {
        "sub": str(user_id),
        "tid": str(tenant_id),
        "scope": " ".join(sorted(scopes)),
        "typ": ACCESS,
        "aud": settings.jwt_audience,
        "iss": settings.jwt_issuer,
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + lifetime,
        "jti": str(new_id()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"kid": kid}), lifetime


def decode_access_token(settings: Settings, token: str) -> AccessClaims:
    try:
        header = jwt.get_unverified_header(token)
        secret = settings.verification_keys.get(str(header.get("kid")))
        if secret is None or header.get("alg") != ALGORITHM:
            raise Unauthenticated("unknown signing key")
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require_exp": True, "require_iat": True, "require_sub": True,
                     "require_aud": True, "require_iss": True, "require_jti": True},
        )
        if claims.get("typ") != ACCESS:
            raise Unauthenticated("not an access token")
        return AccessClaims(
            user_id=UUID(claims["sub"]),
            tenant_id=UUID(claims["tid"]),
            scopes=frozenset(str(claims.get("scope", "")).split()),
            jti=UUID(claims["jti"]),
            issued_at=int(claims["iat"]),
            expires_at=int(claims["exp"]),
        )
    except (JOSEError, KeyError, ValueError, TypeError, AttributeError):
        raise Unauthenticated("invalid or expired token")
