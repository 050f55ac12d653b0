"""The warehouse: SQLAlchemy models, Alembic migrations, bulk loading, history merges and atomic publishing."""
