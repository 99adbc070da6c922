"""Every request and response model has a name of its own: two pydantic models of one name would
share (and so overwrite) one schema in the OpenAPI document, and a generated SDK would get the
wrong type for one of the operations."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict

from pydantic import BaseModel

import app.api.v1.schemas as schemas


def test_schema_model_names_are_unique() -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for module_info in pkgutil.iter_modules(schemas.__path__):
        module = importlib.import_module(f"{schemas.__name__}.{module_info.name}")
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseModel) and value.__module__ == module.__name__:
                seen[name].add(module.__name__)
    assert {name: mods for name, mods in seen.items() if len(mods) > 1} == {}
