"""Load the real Lambda handlers (``functions/<name>/app.py``) to call them in-process."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

Handler = Callable[[dict[str, Any], Any], Any]


class FunctionsNotFound(FileNotFoundError):
    pass


def find_functions_dir(start: Path) -> Path:
    """The project's ``functions/`` folder: beside the journeys folder or above it."""
    for folder in [start, *start.resolve().parents]:
        candidate = folder / "functions"
        if (candidate / "send" / "app.py").is_file():
            return candidate
    raise FunctionsNotFound(
        f"no functions/ folder with send/app.py found from {start}; run tact in a Tact project"
    )


def load_handler(functions_dir: Path, name: str) -> Handler:
    path = functions_dir / name / "app.py"
    spec = importlib.util.spec_from_file_location(f"tact_functions_{name}_app", path)
    if spec is None or spec.loader is None:
        raise FunctionsNotFound(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handler: Callable[..., Any] = module.lambda_handler
    return handler
