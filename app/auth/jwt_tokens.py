"""Access tokens: HS256 JWTs with a `kid`, signed by the first configured key, verified by any.

Decoding passes `algorithms` explicitly, requires exp/iat/sub/aud/iss, and looks the key up only
among the configured kids, so `alg: none`, forged or unknown-key tokens never verify.
"""

from __future__ import annotations

import time
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
    # The session (refresh-token family) the token belongs to; None in tokens issued before
    # sessions existed, which the caller's check refuses.
    session_id: UUID | None = None


def issue_access_token(
    settings: Settings,
    *,
    user_id: UUID,
    tenant_id: UUID,
    scopes: set[str] | frozenset[str],
    session_id: UUID,
) -> tuple[str, int]:
    """Return (token, lifetime in seconds). The token lives only as long as its session."""
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
        "sid": str(session_id),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"kid": kid}), lifetime


# Verified tokens, by their exact text: a client presents one token for up to 15 minutes, and
# verifying the signature costs more than the rest of a cached read. Expiry is still checked on
# every use; revocation and the user's state are checked by the caller against the database.
# The entry also records what verified it (key, audience, issuer), so a settings change is honoured.
_VERIFIED: dict[str, tuple[AccessClaims, str, str, str, str]] = {}
_VERIFIED_MAX = 20_000


def decode_access_token(settings: Settings, token: str) -> AccessClaims:
    cached = _VERIFIED.get(token)
    if cached is not None:
        claims, kid, secret, audience, issuer = cached
        still_trusted = (
            settings.verification_keys.get(kid) == secret
            and audience == settings.jwt_audience
            and issuer == settings.jwt_issuer
        )
        if still_trusted and claims.expires_at > time.time():
            return claims
        del _VERIFIED[token]
    kid, secret, claims = _verify(settings, token)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[token] = (claims, kid, secret, settings.jwt_audience, settings.jwt_issuer)
    return claims


def _verify(settings: Settings, token: str) -> tuple[str, str, AccessClaims]:
    try:
        header = jwt.get_unverified_header(token)
        kid = str(header.get("kid"))
        secret = settings.verification_keys.get(kid)
        if secret is None or header.get("alg") != ALGORITHM:
            raise Unauthenticated("unknown signing key")
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={
                "require_exp": True,
                "require_iat": True,
                "require_sub": True,
                "require_aud": True,
                "require_iss": True,
                "require_jti": True,
            },
        )
        if claims.get("typ") != ACCESS:
            raise Unauthenticated("not an access token")
        return (
            kid,
            secret,
            AccessClaims(
                user_id=UUID(claims["sub"]),
                tenant_id=UUID(claims["tid"]),
                scopes=frozenset(str(claims.get("scope", "")).split()),
                jti=UUID(claims["jti"]),
                issued_at=int(claims["iat"]),
                expires_at=int(claims["exp"]),
                session_id=UUID(claims["sid"]) if "sid" in claims else None,
            ),
        )
    except (JOSEError, KeyError, ValueError, TypeError, AttributeError):
        raise Unauthenticated("invalid or expired token")
