"""Search terms for Chinese and Latin text without a Chinese word segmenter: words of letters or
digits as they are, and each run of Chinese (CJK) characters as overlapping bigrams ("退款流程"
-> 退款 款流 流程) plus its last character, so any two-or-more-character part of a run is a phrase
of bigrams. Both sides are built here, as PostgreSQL `tsvector` / `tsquery` literals (no
database text parser, so the result does not depend on the server's locale):

- the document: title lexemes weighted A, body lexemes weighted B, with positions;
- a search (`q`): every word must match (a Latin word as a prefix, a Chinese run as a phrase),
  common English words left out when others remain;
- a ticket's suggestion query: any of its distinctive words or bigrams (OR), ranked by
  how many match and where.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Han (with extension A and compatibility ideographs), kana and Hangul.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_TOKEN = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")
# PostgreSQL keeps positions up to 16383 and at most 256 per lexeme.
_MAX_POSITION = 16383
_MAX_POSITIONS = 256
_MAX_WORD = 60  # longer "words" (hashes, base64) are not search terms
_STOP = "a an and are as at be by can do does for from has have how i in is it my of on or our please the this to "
_STOP += "was we what when where which who why will with you your not no after before cannot dont hello hi thanks thank"
_STOPWORDS = frozenset(_STOP.split())
_CJK_STOP = "我们 你们 他们 请问 谢谢 您好 一个 这个 那个 什么 怎么 如何 可以 没有 不能 已经 时候 问题"
_CJK_STOP_BIGRAMS = frozenset(_CJK_STOP.split())


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _units(text: str) -> Iterator[tuple[str, bool]]:
    """(token, is_cjk_run) in order."""
    for match in _TOKEN.finditer(_fold(text)):
        cjk, word = match.groups()
        if cjk:
            yield cjk, True
        elif len(word) <= _MAX_WORD:
            yield word, False


def _run_lexemes(run: str) -> list[str]:
    """A Chinese run's lexemes at consecutive positions: its bigrams, then its last character."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def _lexemes(text: str) -> Iterator[str]:
    for unit, cjk in _units(text):
        if cjk:
            yield from _run_lexemes(unit)
        else:
            yield unit


def _quote(lexeme: str) -> str:
    # Lexemes are letters, digits and CJK only; quoting keeps them literal anyway.
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def document_vector(title: str, body: str) -> str:
    """The tsvector literal of an article: title lexemes weight A, body lexemes weight B."""
    positions: dict[str, list[str]] = {}
    position = 0
    for weight, text in (("A", title), ("B", body)):
        for lexeme in _lexemes(text):
            position = min(position + 1, _MAX_POSITION)
            found = positions.setdefault(lexeme, [])
            if len(found) < _MAX_POSITIONS:
                found.append(f"{position}{weight}")
        position = min(position + 10, _MAX_POSITION)  # title and body are not one phrase
    return " ".join(f"{_quote(lexeme)}:{','.join(at)}" for lexeme, at in positions.items())


def _term(unit: str, cjk: bool, weight: str = "") -> str:
    if not cjk:
        return f"{_quote(unit)}:*{weight}"
    if len(unit) == 1:
        return f"{_quote(unit)}:*{weight}"
    grams = [unit[i : i + 2] for i in range(len(unit) - 1)]
    phrase = " <-> ".join(f"{_quote(g)}{':' + weight if weight else ''}" for g in grams)
    return f"({phrase})" if len(grams) > 1 else phrase


def search_query(q: str, weight: str = "") -> str | None:
    """The tsquery literal of a search: every word (prefix) and Chinese run (phrase) must match;
    `weight` "A" restricts it to titles. None when `q` has nothing searchable."""
    units = list(_units(q))
    # "how to reset the password": the common English words would only narrow the match.
    useful = [(unit, cjk) for unit, cjk in units if cjk or unit not in _STOPWORDS] or units
    terms = list(dict.fromkeys(_term(unit, cjk, weight) for unit, cjk in useful))[:32]
    return " & ".join(terms) if terms else None


def suggestion_query(*texts: str | None, limit: int = 40) -> str | None:
    """The tsquery literal matching any distinctive word or Chinese bigram of the texts (a
    ticket's subject and description), the subject's first."""
    seen: dict[str, None] = {}
    for text in texts:
        for unit, cjk in _units(text or ""):
            if cjk:
                grams = [unit[i : i + 2] for i in range(len(unit) - 1)] or [unit]
                for gram in grams:
                    if len(gram) == 2 and gram not in _CJK_STOP_BIGRAMS:
                        seen.setdefault(gram)
            elif len(unit) >= 3 and unit not in _STOPWORDS and not unit.isdigit():
                seen.setdefault(unit)
    terms = list(seen)[:limit]
    return " | ".join(_quote(t) for t in terms) if terms else None


def first_term(q: str) -> str | None:
    """The first searchable unit of `q` (folded), where a list's snippet centres."""
    return next((unit for unit, _ in _units(q)), None)
