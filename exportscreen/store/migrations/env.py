"""Alembic's environment for the store: migrations run on the connection exportscreen.store.migrate passes, inside
its transaction (see exportscreen/store/__init__.py). ``alembic`` on the command line is not needed."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection)
with context.begin_transaction():
    context.run_migrations()
