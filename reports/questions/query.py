"""The explicit form of a question: what to compute, for whom, for which years.

``understand`` produces it from text; the answer service computes it; ``--explain`` prints it. A
query is plain data and round-trips through JSON and through the compact payload of a
clarification button (Telegram callback data: at most 64 bytes).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Intent = Literal["figure", "breakdown", "sum", "ranking", "trend", "compare", "share", "findings", "coverage",
                 "help", "unknown"]
INTENTS: tuple[str, ...] = ("figure", "breakdown", "sum", "ranking", "trend", "compare", "share", "findings",
                            "coverage", "help", "unknown")


@dataclass(frozen=True, slots=True)
class AgencyRef:
    id: int
    name: str


@dataclass(slots=True)
class Query:
    intent: str = "unknown"
    metrics: list[str] = field(default_factory=list)       # metric or derived ids (reports.questions.metrics)
    column: str | None = None          # applicant type (table 三; for "share", whose share) or appeal outcome
    agencies: list[AgencyRef] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)     # mentions that match no known agency
    ambiguous: dict[str, list[AgencyRef]] = field(default_factory=dict)   # mention -> candidates
    suggestions: dict[str, list[AgencyRef]] = field(default_factory=dict)  # unknown mention -> closest names
    guessed: dict[str, str] = field(default_factory=dict)   # typo mention -> the name it was read as
    years: list[int] = field(default_factory=list)
    year_source: str = "none"          # explicit | range | relative | recent | all | none | default
    level: str | None = None           # department | town | government
    region: str | None = None          # a place whose agencies are meant ("淮安市")
    top: int | None = None
    order: Literal["desc", "asc"] = "desc"
    yoy: bool = False                  # a change against the previous year was asked for
    finding_codes: list[str] = field(default_factory=list)
    lang: str = "zh"
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    # ---- compact payload for a clarification button ---------------------------------------

    def to_payload(self) -> str:
        """"q|<intent>|<metrics>|<column>|<agency ids>|<years>|<level>|<top><order>|<flags>" — ≤ 64 bytes or ValueError."""
        years = self.years
        if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
            ys = f"{years[0]}-{years[-1]}"
        else:
            ys = ",".join(str(y) for y in years)
        flags = ("y" if self.yoy else "") + (self.lang[:2])
        parts = ["q", str(INTENTS.index(self.intent)), ",".join(self.metrics), self.column or "",
                 ",".join(str(a.id) for a in self.agencies), ys, (self.level or "")[:1],
                 f"{self.top or ''}{'a' if self.order == 'asc' else ''}", flags]
        payload = "|".join(parts)
        if len(payload.encode()) > 64:
            raise ValueError("query too large for a button payload")
        return payload

    @classmethod
    def from_payload(cls, payload: str) -> "Query":
        """Parse what ``to_payload`` wrote; agency names are filled in by the caller. ValueError if malformed."""
        parts = payload.split("|")
        if len(parts) != 9 or parts[0] != "q":
            raise ValueError(f"not a query payload: {payload!r}")
        _, intent, metrics, column, ids, ys, level, top, flags = parts
        years: list[int] = []
        if "-" in ys:
            a, b = (int(x) for x in ys.split("-"))
            years = list(range(a, b + 1))
        elif ys:
            years = [int(y) for y in ys.split(",")]
        levels = {"d": "department", "t": "town", "g": "government"}
        order = "asc" if top.endswith("a") else "desc"
        top_n = top.rstrip("a")
        return cls(
            intent=INTENTS[int(intent)], metrics=[m for m in metrics.split(",") if m], column=column or None,
            agencies=[AgencyRef(int(i), "") for i in ids.split(",") if i], years=years,
            year_source="explicit" if years else "none", level=levels.get(level), top=int(top_n) if top_n else None,
            order=order, yoy=flags.startswith("y"), lang=flags[-2:] if len(flags) >= 2 else "zh",
        )
