"""The template language of marketing messages: Jinja2 syntax, narrowed to what a message needs
and run in Jinja2's immutable sandbox.

A template may print declared variables (`{{ contact.name }}`), pass them through a few filters
(`{{ contact.name | default("朋友") }}`) and choose with `{% if %}`; nothing else. The narrowing is
checked on the parsed template before it is compiled (`check`), so a mistake is a 422 on save
naming the line, not a broken send:
- names and attribute paths must be in the catalogue (app/domain/marketing/variables.py): no
  `''.__class__`, no `cycler.__init__.__globals__`, no `self`, no loop variables;
- no calls, no loops, no `set`, macros, includes or imports, no `*` or `**`: rendering is linear
  in the template's size, whatever the template says;
- `safe` and other filters outside the allow-list are refused: a contact's name is never HTML.
The sandbox stays underneath as the second wall, with no globals at all.

Rendering: HTML output autoescapes every variable; subjects and texts do not (they are not HTML).
A known variable without a value prints nothing (or the `default` filter's argument)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any

from jinja2 import ChainableUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.domain.marketing.variables import SAMPLE, VARIABLES

FILTERS = frozenset(
    {"default", "d", "upper", "lower", "title", "capitalize", "trim", "truncate", "replace", "escape", "e",
     "urlencode", "striptags", "length", "string"}
)  # fmt: skip
# The most characters a filter may return (a whole message is bounded by its template's size).
MAX_RENDERED = 1_000_000
TESTS = frozenset({"defined", "undefined", "none", "string", "number", "eq", "ne", "equalto"})
# Node types a template may contain; filters, tests, names and paths are checked besides.
_ALLOWED = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Getattr, nodes.Getitem, nodes.Const,
    nodes.Filter, nodes.Test, nodes.If, nodes.CondExpr, nodes.Compare, nodes.Operand, nodes.And, nodes.Or,
    nodes.Not, nodes.Concat, nodes.Keyword,
)  # fmt: skip
# Comparisons that hold whether or not a variable has a value (`<` of an empty value would fail).
COMPARISONS = frozenset({"eq", "ne"})
_DESCRIBED: dict[type[nodes.Node], str] = {
    nodes.For: "loops ({% for %})",
    nodes.Call: "calls (name(...))",
    nodes.Assign: "{% set %}",
    nodes.AssignBlock: "{% set %}",
    nodes.Macro: "macros",
    nodes.CallBlock: "{% call %}",
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from ... import %}",
    nodes.Extends: "{% extends %}",
    nodes.Block: "{% block %}",
    nodes.FilterBlock: "{% filter %}",
    nodes.With: "{% with %}",
    nodes.Mul: "the * operator",
    nodes.Pow: "the ** operator",
    nodes.Add: "the + operator (join text with ~)",
    nodes.Mod: "the % operator",
    # {% autoescape false %} would let a variable's markup into an HTML body.
    nodes.Scope: "{% autoescape %}",
    nodes.ScopedEvalContextModifier: "{% autoescape %}",
    nodes.EvalContextModifier: "{% autoescape %}",
}


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class TemplateInvalid(Exception):
    """The template breaks the language's rules; `problems` says where and why."""

    def __init__(self, problems: list[TemplateProblem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox with nothing in it but the allowed filters and tests: no `range`, `cycler`,
    `joiner`, `namespace`, `lipsum` or `dict` globals."""

    def __init__(self, *, autoescape: bool) -> None:
        super().__init__(
            autoescape=autoescape,
            undefined=ChainableUndefined,
            finalize=_finalize,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        self.globals.clear()
        self.filters = {k: _bounded(v) for k, v in self.filters.items() if k in FILTERS}
        self.tests = {k: v for k, v in self.tests.items() if k in TESTS}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # Values are plain dicts of strings: no attribute of a Python object is ever needed.
        return False


def _bounded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose result may not outgrow MAX_RENDERED: chained filters could otherwise grow a
    value exponentially (`| urlencode | urlencode ...`, `| replace("", long text)`)."""

    @wraps(fn)  # keeps jinja's pass_context / pass_eval_context marks
    def bounded(*args: Any, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        if isinstance(result, str) and len(result) > MAX_RENDERED:
            raise ValueError(f"a value grew past {MAX_RENDERED} characters")
        return result

    return bounded


def _finalize(value: Any) -> Any:
    return "" if value is None else value


_HTML = _Environment(autoescape=True)
_TEXT = _Environment(autoescape=False)


def _path(node: nodes.Node) -> list[str] | None:
    """`contact.name` / `contact["name"]` as ["contact", "name"]; None for anything else."""
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Getattr):
        inner = _path(node.node)
        return None if inner is None else [*inner, node.attr]
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        inner = _path(node.node)
        return None if inner is None else [*inner, node.arg.value]
    return None


def _known(path: list[str]) -> bool:
    root, *rest = path
    if root not in VARIABLES:
        return False
    return not rest or (len(rest) == 1 and rest[0] in VARIABLES[root])


def _printed(node: nodes.Node) -> Iterator[nodes.Node]:
    """The expressions whose value `{{ ... }}` prints: through filters, `~` and `x if c else y`."""
    if isinstance(node, nodes.Filter) and node.node is not None:
        yield from _printed(node.node)
    elif isinstance(node, nodes.Concat):
        for part in node.nodes:
            yield from _printed(part)
    elif isinstance(node, nodes.CondExpr):
        yield from _printed(node.expr1)
        if node.expr2 is not None:
            yield from _printed(node.expr2)
    else:
        yield node


def _walk(node: nodes.Node, used: set[str]) -> Iterator[TemplateProblem]:
    line = getattr(node, "lineno", None)
    if not isinstance(node, _ALLOWED):
        what = _DESCRIBED.get(type(node), type(node).__name__)
        yield TemplateProblem(f"{what} cannot be used in a message template", line)
        return
    if isinstance(node, nodes.Output):
        # A group is for tests (`{% if lead %}`); printed, it would show as a Python dict.
        for printed in (p for child in node.nodes for p in _printed(child)):
            if isinstance(printed, nodes.Name) and printed.name in VARIABLES:
                fields = VARIABLES[printed.name]
                yield TemplateProblem(f"print a field such as {printed.name}.{fields[0]}, not {printed.name}", line)
    if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
        path = _path(node)
        if path is None:
            yield TemplateProblem("only variables such as contact.name can be read here", line)
            return
        if not _known(path):
            yield TemplateProblem(f"unknown variable {'.'.join(path)}", line)
            return
        used.add(".".join(path))
        return
    if isinstance(node, nodes.Filter) and node.name not in FILTERS:
        yield TemplateProblem(f"unknown filter {node.name} (allowed: {', '.join(sorted(FILTERS))})", line)
        return
    if isinstance(node, nodes.Test) and node.name not in TESTS:
        yield TemplateProblem(f"unknown test {node.name} (allowed: {', '.join(sorted(TESTS))})", line)
        return
    if isinstance(node, nodes.Operand) and node.op not in COMPARISONS:
        yield TemplateProblem("only == and != comparisons can be used in a message template", line)
        return
    if isinstance(node, nodes.Filter | nodes.Test) and (node.dyn_args is not None or node.dyn_kwargs is not None):
        yield TemplateProblem("*args and **kwargs cannot be used in a message template", line)
        return
    for child in node.iter_child_nodes():
        yield from _walk(child, used)


def _structure(source: str) -> tuple[str, ...]:
    try:
        tree = _TEXT.parse(source)
    except TemplateSyntaxError as error:
        raise TemplateInvalid([TemplateProblem(f"syntax error: {error.message}", error.lineno)])
    used: set[str] = set()
    problems = list(_walk(tree, used))
    if problems:
        raise TemplateInvalid(problems)
    return tuple(sorted(used))


@lru_cache(maxsize=512)
def _compiled(source: str, html: bool) -> Any:
    """Checked and compiled once per source: a send renders the same template for every recipient."""
    _structure(source)
    return (_HTML if html else _TEXT).from_string(source)


@lru_cache(maxsize=512)
def check(source: str) -> tuple[str, ...]:
    """The variables the template uses (sorted); TemplateInvalid when it breaks the rules, or
    cannot be rendered with every variable filled or with none (a filter given a wrong argument)."""
    used = _structure(source)
    for context in (SAMPLE, {}):
        for html in (False, True):
            render(source, context, html=html)
    return used


# What a template's own mistakes raise while rendering (a filter's bad argument); the sandbox's
# SecurityError is a TemplateError too, unreachable past `_structure`, never a leak if reached.
_RENDER_ERRORS = (TemplateError, TypeError, ValueError, LookupError, ArithmeticError)


def render(source: str, context: Mapping[str, Any], *, html: bool) -> str:
    """The template rendered with `context` ({"contact": {...}, ...}); TemplateInvalid when the
    template breaks the rules (a stored template never does: it was checked on save)."""
    template = _compiled(source, html)
    try:
        return str(template.render(dict(context)))
    except _RENDER_ERRORS as error:
        raise TemplateInvalid([TemplateProblem(f"cannot be rendered: {error}")])
