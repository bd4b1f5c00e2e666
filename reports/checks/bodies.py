"""What kind of body an agency is, as far as the rules need it (who may make 规章)."""

from __future__ import annotations

import re

from ..model import Level

# 乡镇 and 街道 bodies. "镇" alone is too short to trust inside a longer name ("镇江市"), so the
# name must end in a town-level office.
_TOWN = re.compile(r"(乡|镇|街道|街道办事处|苏木)(人民政府|政府|办事处|党委|委员会)?$|街道办事处|乡人民政府|镇人民政府")
# County-level names: counties, banners, county-level cities and city districts. 自治区 is a province,
# and special zones (实验区, 新区, 开发区 …) are not counties by name alone.
_COUNTY = re.compile(r"县|旗|(?<!自治)(?<!实验)(?<!新)(?<!开发)(?<!示范)(?<!高新)(?<!保税)(?<!功能)区(?!域)")


def infer_level(agency: str | None, level: Level | str = "unknown") -> str:
    """The parser's level when it knows one, else a reading of the agency name."""
    if level != "unknown" or not agency:
        return level
    name = agency.strip()
    if _TOWN.search(name):
        return "town"
    if re.search(r"人民政府(办公厅|办公室)?$", name):
        return "government"
    if re.search(r"(局|委员会|委|办公室|厅|中心|部|署|院|所|队|站|馆)$", name):
        return "department"
    return "unknown"


def is_county_level(agency: str | None) -> bool:
    """True when the name places the body at county level or below (it cannot make 规章)."""
    if not agency:
        return False
    name = agency.strip()
    head = re.split(r"人民政府|政府", name)[0] or name
    return bool(_COUNTY.search(head))


def cannot_make_regulations(agency: str | None, level: Level | str) -> str | None:
    """Why this body cannot make 规章, or None when it may (or we cannot tell).

    Only State Council departments and the governments of provinces, 设区的市 and 自治州 make 规章
    (立法法 第九十一、九十三条): towns and street offices never do; county-level bodies never do.
    """
    lvl = infer_level(agency, level)
    if lvl == "town":
        return "town"
    if is_county_level(agency):
        return "county"
    return None
