"""Storage: SQLModel tables, queries, engine creation and Alembic migrations."""
