"""The worker writes its workflow modules' bytecode: the sandbox imports a workflow's module afresh
for every workflow run, and without the bytecode each run compiles the source again."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from shared.temporal import cache_workflow_bytecode


def a_workflow_module(folder: Path, name: str):
    source = folder / f"{name}.py"
    source.write_text("class Workflow:\n    pass\n")
    spec = importlib.util.spec_from_file_location(name, source)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)  # imported without writing bytecode, as under PYTHONDONTWRITEBYTECODE
    return module, Path(importlib.util.cache_from_source(str(source)))


def test_the_workflow_modules_bytecode_is_written_once_the_worker_is_built(tmp_path):
    module, bytecode = a_workflow_module(tmp_path, "kotopolku_test_workflow_module")
    try:
        assert not bytecode.exists()
        cache_workflow_bytecode([module.Workflow])
        assert bytecode.exists()
    finally:
        del sys.modules[module.__name__]

