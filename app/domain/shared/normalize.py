"""Normalized keys for duplicate detection and the lower-cased text that search matches against."""

from __future__ import annotations

import re
import unicodedata

_NON_DIGITS = re.compile(r"\D")


def email_key(email: str | None) -> str | None:
    return email.strip().lower() if email and email.strip() else None


def phone_key(phone: str | None) -> str | None:
    """Digits only, without a leading 00 or a China +86 prefix, so '+86 138-0013-8000' and
    '13800138000' collide. Fewer than 5 digits is not a usable key."""
    if not phone:
        return None
    digits = _NON_DIGITS.sub("", phone)
    if digits.startswith("00"):
        digits = digits[2:]
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if len(digits) >= 5 else None


def search_text(*parts: str | None) -> str:
    """NFKC-folded, lower-cased, space-joined: what `q` is matched against (substring, trigram
    indexed), so full-width and half-width forms and any part of a Chinese name are found."""
    return " ".join(unicodedata.normalize("NFKC", p).lower() for p in parts if p)


def search_pattern(q: str) -> str:
    """A LIKE pattern matching `q` anywhere, with LIKE's wildcards escaped."""
    folded = unicodedata.normalize("NFKC", q).lower().strip()
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
