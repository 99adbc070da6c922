"""The pure rules of the public marketing endpoints: where a click may go, how an address is
masked and normalized, and what a provider signs."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from app.domain.marketing.bounces import signature
from app.domain.marketing.suppressions import address_key
from app.domain.marketing.tracking import safe_target
from app.domain.marketing.unsubscribe import mask


@pytest.mark.parametrize(
    "url",
    ["https://example.cn/a?b=1#c", "http://example.cn", "HTTPS://EXAMPLE.CN/x", "https://例子.中国/路径?q=活动"],
)
def test_http_targets_are_kept(url: str) -> None:
    assert safe_target(url) == url


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,x",
        "vbscript:x",
        "//evil.example/",
        "/local",
        "https:///no-host",
        "https://example.cn/a b",
        "https://example.cn/\r\nX: y",
        "https://example.cn/\x00",
        "ftp://example.cn/",
        "mailto:a@b.cn",
    ],
)
def test_anything_else_is_refused(url: str | None) -> None:
    assert safe_target(url) is None


def test_masking_keeps_enough_to_recognize() -> None:
    assert mask("email", "zhang.wei@example.cn") == "z***@example.cn"
    assert mask("sms", "13800138000") == "138****8000"
    assert mask("sms", "12345") == "*****"
    assert mask("email", None) is None


def test_addresses_are_normalized_per_channel() -> None:
    assert address_key("email", "  Li.Na@Example.COM ") == "li.na@example.com"
    assert address_key("email", "no-at-sign") is None
    assert address_key("email", "@") is None
    assert address_key("sms", "+86 138-0013-8000") == "13800138000"
    assert address_key("sms", "0086 138 0013 8000") == "13800138000"
    assert address_key("sms", "12") is None


def test_signature_is_hmac_sha256_of_the_body() -> None:
    body = b'{"type":"hard","message_ids":["<a@b>"]}'
    assert signature("s3cret", body) == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
