"""Agency names: the key under which spelling variants of one body meet, and its region.

The same body is printed differently across years and sources: full-width or ASCII characters,
spaces inside ("平潭综合实验区 管委会"), with or without its body-type suffix ("平潭综合实验区" /
"平潭综合实验区管委会", "中村乡" / "中村乡人民政府", "乌杨街道" / "乌杨街道办事处"). ``agency_key``
removes exactly those differences and nothing that tells two bodies apart.
"""

from __future__ import annotations

import re
import unicodedata

# Suffixes that name the same body as the bare place name. Order matters: the longer first.
_BODY_SUFFIXES = ("管理委员会", "管委会", "人民政府")
# "街道办事处" is the office of the 街道 itself; other 办事处 (e.g. a city's liaison office) are not.
_STREET_OFFICE = re.compile(r"街道办事处$")
# A government's report is often published under its general office's name ("上海市人民政府办公厅").
_GENERAL_OFFICE = re.compile(r"^(.+?人民政府)(?:办公厅|办公室)$")
_DROP = re.compile(r"[\s\u3000·•・\-—_\"'“”‘’《》()（）\[\]【】]+")


def clean_name(name: str) -> str:
    """The printed name with full-width forms folded and spacing removed (what the alias stores)."""
    return _DROP.sub("", unicodedata.normalize("NFKC", name)).strip()


def government_of(name: str) -> str | None:
    """"上海市人民政府办公厅" → "上海市人民政府": the government a general office publishes for."""
    m = _GENERAL_OFFICE.match(clean_name(name))
    return m.group(1) if m else None


def agency_key(name: str) -> str:
    """The comparison key: two names with the same key are the same body."""
    key = clean_name(name)
    key = _STREET_OFFICE.sub("街道", key)
    for suffix in _BODY_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            key = key[: -len(suffix)]
            break
    return key


# Administrative divisions, outermost first: province, prefecture, county (and 区 such as 平潭综合实验区).
_DIVISION = re.compile(r"[\u4e00-\u9fff]{1,12}?(?:特别行政区|自治区|自治州|自治县|地区|省|市|州|盟|县|旗|区)")
_NOT_A_PLACE = ("市场", "区域", "县域", "地区性")


def region_of(name: str) -> str | None:
    """The leading administrative divisions of a body's name ("桃江县松木塘镇人民政府" → "桃江县").

    Best effort and only descriptive: identity always goes through ``agency_key``. ``None`` when
    the name does not start with a division.
    """
    rest = agency_key(name)
    parts: list[str] = []
    while rest:
        m = _DIVISION.match(rest)
        if not m or any(m.group(0).startswith(w) for w in _NOT_A_PLACE):
            break
        parts.append(m.group(0))
        rest = rest[m.end():]
    return "".join(parts) or None
