"""Table models' default factories are plain functions: SQLModel builds a row without validation
and asks pydantic, for each column left out, whether its factory takes arguments (an
`inspect.signature`), which costs a builtin such as `list` ten times more (shared/db.py empty_list)."""

from __future__ import annotations

import inspect

from sqlmodel import SQLModel

import services.runner  # noqa: F401  (every service's models)


def _table_models(base: type = SQLModel) -> set[type]:
    found = set()
    for model in base.__subclasses__():
        if model.model_config.get("table"):
            found.add(model)
        found |= _table_models(model)
    return found


def test_no_table_column_has_a_builtin_default_factory():
    models = _table_models()
    assert len(models) > 20
    builtin = [
        f"{model.__name__}.{name}: {field.default_factory!r}"
        for model in models for name, field in model.model_fields.items()
        if field.default_factory is not None and not inspect.isfunction(field.default_factory)
    ]
    assert builtin == []
