"""Search terms for the knowledge base without a database: words, Chinese bigrams, weights,
positions, the all-terms query, the any-term suggestion query, and quoting."""

from app.domain.kb.render import plain_snippet, render_markdown
from app.domain.kb.search import document_vector, first_term, search_query, suggestion_query


def test_document_vector_weights_title_a_and_body_b_with_bigrams() -> None:
    vector = document_vector("退款流程 Refund", "Ｒｅｆｕｎｄ in 3 days")  # full-width folds to half-width
    assert vector == "'退款':1A '款流':2A '流程':3A '程':4A 'refund':5A,16B 'in':17B '3':18B 'days':19B"


def test_a_single_chinese_character_and_quotes() -> None:
    assert document_vector("退", "") == "'退':1A"
    assert "'" not in document_vector("it's", "").replace("'it'", "").replace("'s'", "")


def test_search_query_needs_every_term_latin_as_prefix_chinese_as_phrase() -> None:
    assert search_query("申请退款 Refund") == "('申请' <-> '请退' <-> '退款') & 'refund':*"
    assert search_query("退款", "A") == "'退款':A"
    assert search_query("退", "A") == "'退':*A"
    assert search_query("!!! ???") is None
    assert search_query("' OR 1=1 --") == "'1':*"  # "or" is a common word; terms once


def test_search_query_drops_english_stopwords_unless_nothing_else_is_left() -> None:
    assert search_query("how to reset the password") == "'reset':* & 'password':*"
    assert search_query("how to") == "'how':* & 'to':*"


def test_suggestion_query_takes_distinct_words_and_bigrams() -> None:
    q = suggestion_query("客户要求退款", "The refund button does not work, please help. 谢谢")
    assert q == "'客户' | '户要' | '要求' | '求退' | '退款' | 'refund' | 'button' | 'work' | 'help'"
    assert suggestion_query("", None) is None
    assert first_term(" Refund 退款") == "refund"


def test_rendering_and_snippets() -> None:
    assert (
        render_markdown("[x](javascript:alert(1)) <b onclick='x()'>b</b>")
        == "<p>[x](javascript:alert(1)) <b>b</b></p>\n"
    )
    assert plain_snippet("## 标题\n\n- [链接](https://x) **粗**") == "标题 - 链接 粗"
