"""Sync feeds: the opaque token a pass ends with, and the cursor between its pages.

A pass reads changes in commit-order keys (the writing transaction's id, `sync_xid`) or, for a
first sync from an instant, in `updated_at` order. Its first page notes the oldest transaction
still running when it read (`xmin`): every change that page could not see was written by a
transaction with an id at least that, so the next pass resumes from it (`sync_xid >= xmin`)
and misses nothing, whatever commits meanwhile; what it had already seen may come again. The
cursor carries that `xmin` from page to page, and the last page hands it out as the token.

Both are base64 JSON with a version, opaque to clients; anything else is a 422."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

import orjson

from app.domain.shared.errors import ValidationFailed

Mode = Literal["token", "since"]
_VERSION = 1


def _pack(value: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


def _unpack(raw: str) -> object:
    return orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))


def _xid(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
        raise ValueError("not a transaction id")
    return value


def encode_token(xmin: int) -> str:
    return _pack({"v": _VERSION, "x": xmin})


def decode_token(token: str) -> int:
    """The transaction id a token resumes from."""
    try:
        body = _unpack(token)
        if not isinstance(body, dict) or body.get("v") != _VERSION:
            raise ValueError("unknown token version")
        return _xid(body.get("x"))
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise ValidationFailed.one("sync_token", "is not a next_sync_token this list handed out")


@dataclass(frozen=True, slots=True)
class FeedCursor:
    """Position after the item with key `key` and id `id` in a pass that began at `xmin`."""

    mode: Mode
    key: int | datetime
    id: UUID
    xmin: int

    def encode(self) -> str:
        key = self.key.isoformat() if isinstance(self.key, datetime) else self.key
        return _pack({"v": _VERSION, "m": self.mode, "k": key, "i": str(self.id), "x": self.xmin})

    @classmethod
    def decode(cls, cursor: str, mode: Mode) -> FeedCursor:
        try:
            body = _unpack(cursor)
            if not isinstance(body, dict) or body.get("v") != _VERSION or body.get("m") != mode:
                raise ValueError("cursor of another list or feed")
            raw_key = body.get("k")
            key = _xid(raw_key) if mode == "token" else datetime.fromisoformat(str(raw_key))
            if isinstance(key, datetime) and key.tzinfo is None:
                raise ValueError("naive instant")
            return cls(mode, key, UUID(str(body.get("i"))), _xid(body.get("x")))
        except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
            raise ValidationFailed.one("cursor", "is not a cursor this feed handed out")
