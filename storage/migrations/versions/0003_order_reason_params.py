"""order reason parameters: orders.reason_params

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03

An order's reason (why it failed, was skipped or is never pushed) is stored with the
sentence it is built from, so the order list tells it in the configured language (R17,
R19). Nullable: rows written before this revision keep only their English reason, and the
bot shows that.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


# Plain ALTER TABLE like 0002: both databases add (and SQLite >= 3.35 drops) a column in place.


def upgrade() -> None:
    op.add_column('orders', sa.Column('reason_params', storage.types.JSONText(), nullable=True))


def downgrade() -> None:
    op.drop_column('orders', 'reason_params')
