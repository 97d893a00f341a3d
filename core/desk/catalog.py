"""The desk's products, as every picker and list shows them (by name)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Product


def products(session: Session, *, active_only: bool = True) -> list[Product]:
    """Products by name; the retired ones too with `active_only=False` (the admin page)."""
    query = select(Product).order_by(Product.name)
    return list(session.scalars(query.where(Product.active) if active_only else query))
