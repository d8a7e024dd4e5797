"""numpy and scipy stay out of the send and ingest cold path: applying the model is pure
Python, loaded on the first purchase (the figure that watches the cost is
`make bench BENCH=imports`)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
APPLY = """
from datetime import UTC, datetime
from tact.recommend.artifact import Artifact, BgNbd, CatalogProduct
from tact.recommend.history import Order, Product, Purchases
from tact.recommend.profile_scores import score_attributes
from tact.recommend.source import S3ModelSource
when = datetime(2026, 11, 2, tzinfo=UTC)
artifact = Artifact(fitted_at="x", data_until="x", customers=1, orders=1,
                    bgnbd=BgNbd(r=1, alpha=5, a=1, b=3),
                    catalog={"B": CatalogProduct(name="b")}, neighbours={"A": [("B", 0.5)]})
buyer = Purchases("c", [Order("o", when, (Product("A"),))], 2, when, when)
assert score_attributes(artifact, buyer, when)["next_best_products"][0]["sku"] == "B"
"""


def _deferred_imports(app: Path) -> list[str]:
    """What the handler imports inside its functions (its first invocation pays them)."""
    return sorted({ast.unparse(inner) for node in ast.walk(ast.parse(app.read_text()))
                   if isinstance(node, ast.FunctionDef) for inner in ast.walk(node)
                   if isinstance(inner, ast.Import | ast.ImportFrom)})


@pytest.mark.parametrize("function", ["ingest", "send", "decide"])
def test_handler_and_model_scoring_import_neither_numpy_nor_scipy(function: str) -> None:
    folder = ROOT / "functions" / function
    code = "\n".join(["import sys", "import app", *_deferred_imports(folder / "app.py"),
                      # the scoring code itself loads on the first purchase, not before
                      "assert 'tact.recommend.profile_scores' not in sys.modules", APPLY,
                      "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'scipy'})",
                      "assert not heavy, heavy"])
    result = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True,
                            text=True, timeout=120, check=False,
                            env={"AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
