"""The fitted model as stored in S3 and loaded by ingest: small, versioned, plain JSON.

Holds no customer data: the four BG/NBD parameters, the catalog (sku → name, category), each
product's most similar products and the most popular ones. A shop of a few thousand products
with ``TOP_K`` neighbours each stays well under a megabyte.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from tact.clock import iso

FORMAT = 1
TOP_K = 20


class BgNbd(BaseModel):
    """Fader, Hardie & Lee (2005): purchase rate ~ Gamma(r, alpha) per day, dropout after each
    purchase ~ Beta(a, b)."""

    model_config = ConfigDict(frozen=True)
    r: float = Field(gt=0)
    alpha: float = Field(gt=0)
    a: float = Field(gt=0)
    b: float = Field(gt=0)


class CatalogProduct(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str = ""
    category: str = ""


class Artifact(BaseModel):
    model_config = ConfigDict(frozen=True)
    format: int = FORMAT
    version: str = ""
    fitted_at: str
    data_until: str = Field(description="the newest purchase the fit saw")
    customers: int = Field(ge=0, description="customers with a purchase in the fit")
    orders: int = Field(ge=0)
    bgnbd: BgNbd | None = Field(default=None, description="None: too few buyers to fit")
    catalog: dict[str, CatalogProduct] = Field(default_factory=dict)
    neighbours: dict[str, list[tuple[str, float]]] = Field(default_factory=dict)
    popular: list[str] = Field(default_factory=list, description="catalog skus, most bought first")
    horizon_days: int = 30
    recency_half_life_days: float = 30.0
    category_boost: float = 0.5

    def with_version(self, fitted_at: datetime) -> Artifact:
        """Versioned by fit time and content: the same fit twice is the same version."""
        body = self.model_dump_json(exclude={"version"})
        digest = hashlib.sha256(body.encode()).hexdigest()[:12]
        stamp = iso(fitted_at).replace("-", "").replace(":", "")
        return self.model_copy(update={"version": f"{stamp}-{digest}"})

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | bytes) -> Artifact:
        return cls.model_validate(json.loads(text))
