# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
"""Request validation messages in the caller's language: a client preferring Chinese
(Accept-Language: zh-CN) reads pydantic's refusals in Chinese, the most common kinds by their
error type; anything else keeps pydantic's English."""

from __future__ import annotations

from typing import Any

from app.domain.marketing.registration.rules import language_of

_ZH: dict[str, str] = {
    "missing": "为必填项",
    "extra_forbidden": "不是可接受的字段",
    "string_type": "必须是文字",
    "string_too_long": "过长（最多 {max_length} 个字符）",
    "string_too_short": "过短（至少 {min_length} 个字符）",
    "string_pattern_mismatch": "格式不正确",
    "uuid_parsing": "必须是有效的 UUID",
    "uuid_type": "必须是有效的 UUID",
    "bool_type": "必须是 true 或 false",
    "bool_parsing": "必须是 true 或 false",
    "int_type": "必须是整数",
    "int_parsing": "必须是整数",
    "dict_type": "必须是对象",
    "list_type": "必须是列表",
    "too_long": "项数过多（最多 {max_length} 项）",
    "json_invalid": "不是有效的 JSON",
    "literal_error": "必须是以下之一：{expected}",
    "greater_than_equal": "必须大于或等于 {ge}",
    "less_than_equal": "必须小于或等于 {le}",
}


def localized(error: dict[str, Any], accept_language: str | None) -> str:
    message = str(error.get("msg", "invalid"))
    if language_of(accept_language) != "zh-CN":
        return message
    template = _ZH.get(str(error.get("type")))
    if template is None:
        return message
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        return message
