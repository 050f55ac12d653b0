"""Alembic environment: runs migrations on the engine handed over by `warehouse.migrate`.

On PostgreSQL the layer schemas are created first; on SQLite the engine's schema translate map drops them.
The version table lives in the `audit` schema on PostgreSQL.
"""

from alembic import context
from sqlalchemy import text

from warehouse.engine import SQLITE_SCHEMA_MAP, is_sqlite
from warehouse.models import SCHEMAS, metadata

engine = context.config.attributes["engine"]
sqlite = is_sqlite(engine)

with engine.connect() as connection:
    if not sqlite:
        for schema in SCHEMAS:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        connection.commit()
    else:
        connection = connection.execution_options(schema_translate_map=SQLITE_SCHEMA_MAP)
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table_schema=None if sqlite else "audit",
        render_as_batch=sqlite,
        include_schemas=not sqlite,
    )
    with context.begin_transaction():
        context.run_migrations()
