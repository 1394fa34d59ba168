"""tombstone keeps its SKU: refuse renaming a deleted link

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

R16: a deleted link is a permanent tombstone of its SKU. 0001's triggers watch only
``status`` (and DELETE), so changing a tombstone's ``sku`` or ``connection_id`` would free
the SKU to be linked again. These triggers refuse that on both databases.
"""

from __future__ import annotations

from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


# Plain DDL, not batch mode: a batch copy of ``links`` on SQLite would drop every trigger.
_MESSAGE = "R16: a deleted link is permanent; its SKU can never be linked again"
_CHANGED = "NEW.sku {op} OLD.sku OR NEW.connection_id {op} OLD.connection_id"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER links_tombstone_no_rename "
            "BEFORE UPDATE OF sku, connection_id ON links "
            f"WHEN OLD.status = 'deleted' AND ({_CHANGED.format(op='IS NOT')}) "
            f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
        )
        return
    op.execute(
        "CREATE FUNCTION links_tombstone_no_rename() RETURNS trigger AS $$ BEGIN "
        f"RAISE EXCEPTION '{_MESSAGE}'; END; $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE TRIGGER links_tombstone_no_rename "
        "BEFORE UPDATE OF sku, connection_id ON links FOR EACH ROW "
        f"WHEN (OLD.status = 'deleted' AND ({_CHANGED.format(op='IS DISTINCT FROM')})) "
        "EXECUTE FUNCTION links_tombstone_no_rename()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS links_tombstone_no_rename")
        return
    op.execute("DROP TRIGGER IF EXISTS links_tombstone_no_rename ON links")
    op.execute("DROP FUNCTION IF EXISTS links_tombstone_no_rename()")
