"""The relational schema (SQLAlchemy 2 typed declarative).

Other modules add their tables on the same ``Base`` (``storage.reminders``); ``storage.all_models``
imports every module holding tables so Alembic and the schema test see the whole metadata.

The questions engine writes SQL against these names; keep them stable.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (JSON, BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, LargeBinary,
                        MetaData, String, Text, TypeDecorator)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# One type for both databases: JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware UTC times")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    # Deterministic constraint names, so migrations can name what they alter on both backends.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)          # canonical name
    level: Mapped[str] = mapped_column(String(20), default="unknown")    # department|town|government|unknown
    region: Mapped[str | None] = mapped_column(String(100))              # leading place names, e.g. "福建省平潭"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    aliases: Mapped[list[AgencyAlias]] = relationship(back_populates="agency", cascade="all, delete-orphan",
                                                      passive_deletes=True)


class AgencyAlias(Base):
    __tablename__ = "agency_aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200), unique=True)          # a name as printed
    # ``storage.names.agency_key(alias)``: what lookups compare, so spelling variants meet.
    key: Mapped[str] = mapped_column(String(200), index=True)

    agency: Mapped[Agency] = relationship(back_populates="aliases")


class ReportRow(Base):
    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_agency_year_current", "agency_id", "year", "is_current"),
                      # Questions count a year's reports (storage.queries.count_reports) without a table scan.
                      Index("ix_reports_year_current", "year", "is_current", "agency_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # NULL when the parser could not name the body: the report is kept, it just joins no agency.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    agency_name: Mapped[str | None] = mapped_column(String(200))         # as printed in the report
    year: Mapped[int | None] = mapped_column(Integer)
    template: Mapped[str | None] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(20), default="unknown")
    published_on: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str | None] = mapped_column(Text)
    source_file: Mapped[str] = mapped_column(Text)
    source_shape: Mapped[str] = mapped_column(String(10))
    source_url: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    original: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # the bytes as received, always kept
    parsed: Mapped[dict[str, Any]] = mapped_column(JSONType, deferred=True)  # Report.to_json()
    # reports.checks.CarryFigures.to_json(): what the carry-over rule reads, without loading ``parsed``.
    carry: Mapped[dict[str, Any] | None] = mapped_column(JSONType, deferred=True)
    parser_version: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by: Mapped[int | None] = mapped_column(BigInteger)
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    warning_count: Mapped[int] = mapped_column(Integer, default=0)

    agency: Mapped[Agency | None] = relationship()


class Figure(Base):
    """One known number of one report: the fact table the questions engine aggregates.

    Only numbers that were read (a blank cell counts as 0) are stored; NA, ambiguous and
    unreadable cells are not, so a sum never includes a guess.
    """

    __tablename__ = "figures"
    __table_args__ = (
        Index("ix_figures_agency_year", "agency_id", "year"),
        # Covers the questions engine's aggregates (storage.queries): index-only scans, no table lookups.
        # It also serves lookups by (row, column, year, current), so no separate index for those (0004).
        Index("ix_figures_question_cover", "row_id", "column_id", "year", "is_current", "report_id", "agency_id",
              "value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    # Denormalised from the report so aggregations need no join.
    agency_id: Mapped[int | None] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean)
    table_id: Mapped[str] = mapped_column(String(20))      # disclosure | requests | appeals | derived (group subtotals)
    row_id: Mapped[str] = mapped_column(String(40))
    column_id: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)


class FindingRow(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    where: Mapped[str] = mapped_column(Text, default="")
    message: Mapped[str] = mapped_column(Text, default="")
    message_en: Mapped[str] = mapped_column(Text, default="")
    table_id: Mapped[str | None] = mapped_column(String(20))
    row_id: Mapped[str | None] = mapped_column(String(40))
    column_id: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
