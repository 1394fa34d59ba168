"""problem parameters: errors.params and links.reason_params

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

A problem's sentence is stored with what it is built from (SKU, names, counts), so the bot
can tell it in the configured language (R19). Both columns are nullable: rows written
before this revision keep only their English message, and the bot shows that.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode: both databases add (and SQLite >= 3.35 drops) a column
# in place, while a batch copy of ``links`` on SQLite would lose its R16 tombstone triggers.


def upgrade() -> None:
    op.add_column('errors', sa.Column('params', storage.types.JSONText(), nullable=True))
    op.add_column('links', sa.Column('reason_params', storage.types.JSONText(), nullable=True))


def downgrade() -> None:
    op.drop_column('links', 'reason_params')
    op.drop_column('errors', 'params')
