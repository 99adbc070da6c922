"""Opaque secrets (refresh tokens, API tokens): random, shown once, stored only as a SHA-256 hash.

A fast hash is right here: the secrets are 256-bit random values, not guessable passwords.
"""

from __future__ import annotations

import hashlib
import secrets

API_TOKEN_PREFIX = "crm_pat_"
REFRESH_TOKEN_PREFIX = "crm_rt_"


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()
