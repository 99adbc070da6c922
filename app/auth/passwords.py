"""Password policy and hashing (passlib API from the `libpass` distribution, argon2id).

Hashing and verifying take tens of milliseconds of CPU, so they run in a worker thread.
"""

from __future__ import annotations

import asyncio
import gzip
from functools import cache
from pathlib import Path

from passlib.context import CryptContext

from app.domain.shared.errors import ValidationFailed

MIN_LENGTH = 10
MAX_LENGTH = 1024

_context = CryptContext(schemes=["argon2"], argon2__type="ID", deprecated="auto")


@cache
def _common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords (from Django's list, itself from Royce Williams' study)."""
    with gzip.open(Path(__file__).with_name("common_passwords.txt.gz"), "rt", encoding="utf-8") as f:
        return frozenset(line.strip().lower() for line in f if line.strip())


def check_policy(password: str, *, email: str, field: str = "password") -> None:
    """Raise ValidationFailed naming the reason a password is not acceptable."""
    if len(password) < MIN_LENGTH:
        raise ValidationFailed.one(field, f"must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise ValidationFailed.one(field, f"must be at most {MAX_LENGTH} characters")
    if password.strip().lower() == email.strip().lower():
        raise ValidationFailed.one(field, "must not be the email address")
    if password.lower() in _common_passwords():
        raise ValidationFailed.one(field, "is among the most common passwords; choose another")


async def hash_password(password: str) -> str:
    hashed: str = await asyncio.to_thread(_context.hash, password)
    return hashed


async def verify_password(password: str, password_hash: str) -> bool:
    return await asyncio.to_thread(_context.verify, password, password_hash)


@cache
def _dummy_hash() -> str:
    hashed: str = _context.hash("an unguessable placeholder that no account uses")
    return hashed


async def burn_verify(password: str) -> None:
    """Spend the time of one verification, so an unknown email answers as slowly as a known one."""
    await asyncio.to_thread(_context.verify, password, _dummy_hash())
