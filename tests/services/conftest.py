"""The storage test databases (SQLite file and PostgreSQL) for the services that use the store."""

from tests.storage.conftest import backend, db, db_url, pg_session  # noqa: F401  (fixtures)
