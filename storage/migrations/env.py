"""Alembic environment: runs against the connection handed over by storage.migrate."""

from __future__ import annotations

from alembic import context

from storage.models import metadata

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("storage.migrate passes the connection; run 'sapo-sync db upgrade'")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
