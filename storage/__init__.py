"""The store: SQLAlchemy 2 async models, repositories and Alembic migrations (SQLite or PostgreSQL).

Entry points for other packages:
- ``storage.db.Database(url)``: ``await db.upgrade()``; ``async with db.transaction() as session`` (commits on
  success; ``write=False`` for read-only work); ``await db.dispose()``. Connection trouble raises
  ``storage.db.StorageUnavailable`` (``message_zh`` / ``message_en``); nothing is half-written.
- ``storage.repository.ReportRepository(session)`` / ``AgencyRepository(session)``.
- ``storage.models``: ``Base`` and the tables agencies, agency_aliases, reports, figures, findings.
- ``storage.names.agency_key(name)``: the key under which spelling variants of an agency's name meet.
Services built on it: ``services.ingest.ingest(db, data, filename, ...)``, ``services.export``,
``services.reparse``, ``services.agencies``.
"""
