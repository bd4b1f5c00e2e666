"""The store the answers suite asks questions of: the shared samples (through ``ingest``) plus
synthetic reports (``reports.synthetic.generate``) whose figures are known from their ``Report``
objects. Expected answers are computed here from those objects and from the samples README, never
by the code under test.
"""

from __future__ import annotations

import asyncio
import os
import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import make_url

from reports.checks import check
from reports.model import Cell, CellStatus, Report
from reports.synthetic import generate
from services.ingest import ingest, store_report
from storage.db import Database, execute_autocommit
from tests.conftest import SAMPLES

TODAY = date(2025, 6, 1)       # 去年 = 2024, 前年 = 2023, 近三年 = 2022–2024

SAMPLE_FILES = ("wuyang_2020.txt", "pingtan_2019.txt", "pingtan_2021.txt", "huaian_2024_pdftext.txt",
                "shanghai_2019.html", "songmutang_2022_excerpt.txt", "zhongcun_2020_excerpt.txt",
                "district-stats_2023_excerpt.txt")

# key -> (name as printed, level, years, scale)
SYNTHETIC: dict[str, tuple[str, str, tuple[int, ...], int]] = {
    "edu": ("南平市教育局", "department", (2019, 2020, 2021, 2022, 2023, 2024), 60),
    "fin": ("南平市财政局", "department", (2021, 2022, 2023, 2024), 400),
    "zz_stats": ("株洲市统计局", "department", (2023, 2024), 20),
    "hz_stats": ("湖州市统计局", "department", (2023,), 20),
    "yiyang": ("益阳市人民政府", "government", (2021, 2022, 2023, 2024), 400),
    "qingxi": ("桃江县清溪镇人民政府", "town", (2022, 2023, 2024), 20),
    "baisha": ("会昌县白沙街道办事处", "town", (2023, 2024), 5),
    "yibin": ("宜宾市人民政府", "government", (2023,), 60),
    "wuhu": ("芜湖市民政局", "department", (2024,), 60),         # new.total unreadable
    "shaoguan": ("韶关市司法局", "department", (2024,), 60),      # arithmetic broken on purpose
}


@dataclass
class Store:
    db: Database
    reports: dict[tuple[str, int], Report]      # (key, year) -> the current synthetic report


def build_reports() -> tuple[dict[tuple[str, int], Report], list[Report]]:
    """(current reports, every report in storing order: a superseded one comes before its replacement)."""
    rng = random.Random(20240601)
    current: dict[tuple[str, int], Report] = {}
    order: list[Report] = []
    for key, (name, level, years, scale) in SYNTHETIC.items():
        for year in years:
            rep = generate(rng, year=year, agency=name, level=level, scale=scale)
            current[(key, year)] = rep
            order.append(rep)
    # A corrected re-upload: the 2022 report of 南平市教育局 is replaced by a new one.
    replacement = generate(rng, year=2022, agency="南平市教育局", level="department", scale=400)
    order.append(replacement)
    current[("edu", 2022)] = replacement
    # An unreadable cell: glued digits that no rule could split.
    wuhu = current[("wuhu", 2024)]
    wuhu.requests["new"]["total"] = Cell(CellStatus.AMBIGUOUS, raw="6400204", candidates=((640, 204), (6400, 204)))
    # Broken arithmetic: one more new request than the row adds up to.
    sg = current[("shaoguan", 2024)]
    sg.requests["new"]["total"] = Cell.of((sg.requests["new"]["total"].number or 0) + 5)
    for rep in order:
        rep.findings = check(rep)
    return current, order


async def fill(db: Database) -> dict[tuple[str, int], Report]:
    for name in SAMPLE_FILES:
        result = await ingest(db, (SAMPLES / name).read_bytes(), name)
        assert result.outcomes and result.outcomes[0].status == "stored", (name, result)
    current, order = build_reports()
    for rep in order:
        body = f"{rep.agency}|{rep.year}|{rep.source.sha256}".encode()
        outcome = await store_report(db, rep, body)
        assert outcome.status in ("stored", "superseded"), outcome
    return current


def postgres_url() -> str | None:
    return os.environ.get("TEST_POSTGRES_URL")




def own_postgres_database(base: str) -> str:
    """A database of this suite's own (``govreport_test_questions_<pid>``), created empty."""
    name = f"govreport_test_questions_{os.getpid()}"
    asyncio.run(execute_autocommit(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(execute_autocommit(base, f'CREATE DATABASE "{name}"'))
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(base: str, url: str) -> None:
    asyncio.run(execute_autocommit(base, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
