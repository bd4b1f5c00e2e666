"""Find the agencies a question mentions.

Agency names share long suffixes ("区人民政府", "街道办事处"), so matching whole names ranks different
places as close. Each name is cut into its administrative places and body ("重庆市 | 秀山土家族苗族自治县
| 乌杨街道办事处"); the distinctive part (the last place's own name "乌杨", or place + department
"淮安市统计局") is what a mention is matched against: exactly, in pinyin ("Wuyang", "Huai'an"), and for
small typos with rapidfuzz. A bare place name stands for that place's own government or office, never
for its departments. Several agencies for one mention → the caller asks which; none → it says so
and offers the closest names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz, process

# Administrative units, longest first so that 自治县 wins over 县 and 街道办事处 over 街道.
_PLACE_SUFFIXES = ("特别行政区", "综合实验区", "街道办事处", "自治区", "自治州", "自治县", "自治旗", "经济开发区",
                   "高新技术产业开发区", "开发区", "高新区", "新区", "管委会", "街道", "地区", "省", "市", "州", "盟",
                   "县", "区", "旗", "镇", "乡", "苏木")
# What a place's own government is called after the place name.
_GOVERNMENT_BODIES = ("人民政府办公厅", "人民政府办公室", "人民政府", "政府办公室", "政府办公厅", "政府", "办事处",
                      "管理委员会", "管委会", "")
_TYPE_WORDS_EN = {"街道": ("subdistrict", "street", "sub-district", "jiedao"), "镇": ("town", "township", "zhen"),
                  "乡": ("township", "town", "xiang"), "县": ("county", "xian"), "区": ("district", "qu"),
                  "市": ("city", "municipal", "shi"), "省": ("province", "provincial", "sheng")}


_ETHNIC = ("土家族", "苗族", "彝族", "藏族", "壮族", "回族", "蒙古族", "侗族", "瑶族", "白族", "哈尼族", "傣族", "黎族",
           "畲族", "羌族", "满族", "朝鲜族", "布依族", "仡佬族", "水族", "纳西族", "傈僳族", "景颇族", "拉祜族", "佤族",
           "维吾尔族", "哈萨克族", "柯尔克孜族", "达斡尔族", "鄂温克族", "裕固族", "撒拉族", "保安族", "东乡族", "土族",
           "锡伯族", "毛南族", "仫佬族", "各族")


def _strip_ethnic(core: str) -> str:
    """"秀山土家族苗族" → "秀山": people name an autonomous county by its place name alone."""
    changed = True
    while changed:
        changed = False
        for e in _ETHNIC:
            if core.endswith(e) and len(core) - len(e) >= 2:
                core = core[: -len(e)]
                changed = True
    return core


@dataclass(frozen=True, slots=True)
class KnownAgency:
    id: int
    name: str
    level: str = "unknown"
    region: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Place:
    text: str      # "乌杨街道办事处"
    core: str      # "乌杨"
    kind: str      # "街道办事处"


_SUFFIX_RX = re.compile("|".join(_PLACE_SUFFIXES))


def _next_place(name: str, pos: int) -> Place | None:
    """The shortest place starting at ``pos`` whose own name has two characters or more.

    Shortest, so that "湖州市" is not read as 湖 + 州; a one-character name is accepted only at the
    start for counties and cities ("沛县"), where nothing else can be meant.
    """
    for m in _SUFFIX_RX.finditer(name, pos + 1, min(len(name), pos + 16)):
        kind = m.group(0)
        core = name[pos:m.start()]
        if len(core) >= 2 or (len(core) == 1 and pos == 0 and kind in ("县", "市", "区", "省")):
            if kind.startswith("自治"):
                core = _strip_ethnic(core)
            return Place(name[pos:m.end()], core, kind)
    return None


@lru_cache(maxsize=65536)
def split_places(name: str) -> tuple[tuple[Place, ...], str]:
    """Cut a name into its leading places and the body that follows ("统计局", "人民政府", "")."""
    places: list[Place] = []
    pos = 0
    while pos < len(name):
        place = _next_place(name, pos)
        if place is None:
            break
        places.append(place)
        pos += len(place.text)
    return tuple(places), name[pos:]


def _shorten_kind(kind: str) -> tuple[str, ...]:
    if kind == "街道办事处":
        return ("街道办事处", "街道", "办事处")
    if kind == "综合实验区":
        return ("综合实验区", "实验区")
    if kind.startswith("自治"):
        return (kind, kind[-1])          # 秀山自治县 → 秀山县
    return (kind,)


def _parent_forms(p: Place) -> set[str]:
    """How an enclosing place is written in front of a name: "秀山土家族苗族自治县", "秀山县", "秀山"."""
    out = {p.text} | {p.core + k for k in _shorten_kind(p.kind)}
    if len(p.core) >= 2:
        out.add(p.core)
    return out


def short_forms(name: str) -> tuple[set[str], set[str]]:
    """(strong aliases, weak aliases) of an agency name.

    Strong aliases name it alone ("乌杨街道", "淮安市政府", "平潭"); weak ones are shared by design
    ("统计局" names every district's bureau) and only count when nothing strong matched.
    """
    name = name.strip()
    strong = {name, name.replace("人民政府", "政府")}
    weak: set[str] = set()
    places, body = split_places(name)
    if not places:
        return strong, weak
    last = places[-1]
    parents = places[:-1]
    if body in _GOVERNMENT_BODIES:
        forms = {last.text} | {last.core + k for k in _shorten_kind(last.kind)}
        if len(last.core) >= 2:
            forms.add(last.core)
        if body:
            forms |= {f + body for f in forms} | {f + body.replace("人民政府", "政府") for f in forms}
        strong |= forms
        for p in parents:
            strong |= {head + f for head in _parent_forms(p) for f in forms}
    else:
        dept = body.replace("人民政府", "政府")
        heads = {last.text, last.core} if len(last.core) >= 2 else {last.text}
        strong |= {h + b for h in heads for b in {body, dept}}
        for p in parents:
            strong |= {head + last.text + body for head in _parent_forms(p)}
        if len(body) >= 2:
            weak |= {body, dept}
    return {s for s in strong if len(s) >= 2}, {w for w in weak if len(w) >= 2} - strong


@lru_cache(maxsize=65536)
def _pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text)).lower()


def normalise_latin(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass(slots=True)
class Match:
    agencies: list[KnownAgency]
    mention: str
    span: tuple[int, int]
    how: str            # exact | weak | pinyin | fuzzy
    score: float = 100.0


@dataclass(slots=True)
class Resolution:
    """What the question says about agencies."""

    matched: list[Match] = field(default_factory=list)     # each with one agency, or several = ambiguous
    unknown: list[str] = field(default_factory=list)       # mentions that match nothing
    suggestions: dict[str, list[KnownAgency]] = field(default_factory=dict)   # closest names per unknown mention

    @property
    def ambiguous(self) -> list[Match]:
        return [m for m in self.matched if len(m.agencies) > 1]

    @property
    def resolved(self) -> list[KnownAgency]:
        out: list[KnownAgency] = []
        for m in self.matched:
            if len(m.agencies) == 1 and m.agencies[0] not in out:
                out.append(m.agencies[0])
        return out


def _distinct_key(name: str) -> str:
    """What tells a body apart: its own place name ("乌杨"), or place + department ("淮安统计局")."""
    places, body = split_places(name)
    if not places:
        return name
    core = places[-1].core
    return core if body in _GOVERNMENT_BODIES else core + body


class AgencyIndex:
    """Lookup tables over the known agencies; built once, then grown with ``add`` as agencies appear."""

    def __init__(self, agencies: Iterable[KnownAgency] = ()):
        self.by_id: dict[int, KnownAgency] = {}
        # key -> {agency id: agency}: a dict keeps insertion order and makes adding O(1).
        self._strong: dict[str, dict[int, KnownAgency]] = defaultdict(dict)
        self._weak: dict[str, dict[int, KnownAgency]] = defaultdict(dict)
        self._latin: dict[str, dict[int, KnownAgency]] = defaultdict(dict)
        # Places that contain agencies without being one ("南平" holds 南平市教育局 and 南平市财政局).
        self._places: dict[str, dict[int, KnownAgency]] = defaultdict(dict)
        # The distinctive part of each name (see ``_distinct_key``), for typo suggestions.
        self._distinct: dict[str, dict[int, KnownAgency]] = defaultdict(dict)
        self._distinct_keys: list[str] = []
        self.max_len = 0
        for a in agencies:
            self.add(a)

    def add(self, a: KnownAgency) -> None:
        """Index an agency (again, with more aliases, when it is already known)."""
        self.by_id[a.id] = a
        places, body = split_places(a.name)
        inner = places if body not in _GOVERNMENT_BODIES else places[:-1]
        for p in inner:
            for key in (p.text, p.core):
                if len(key) >= 2:
                    self._places[key][a.id] = a
        strong, weak = short_forms(a.name)
        strong |= {x for x in a.aliases if len(x) >= 2}
        for key in strong:
            self._strong[key][a.id] = a
            self.max_len = max(self.max_len, len(key))
        for key in weak:
            self._weak[key][a.id] = a
        for key in self._latin_forms(a):
            self._latin[key][a.id] = a
        key = _distinct_key(a.name)
        if key not in self._distinct:
            self._distinct_keys.append(key)
        self._distinct[key][a.id] = a

    @property
    def agencies(self) -> list[KnownAgency]:
        return list(self.by_id.values())

    def in_place(self, place: str) -> list[KnownAgency]:
        """Agencies inside a place that is not itself an agency ("南平" → 南平市教育局, 南平市财政局)."""
        return list(self._places[place].values()) if place in self._places else []

    @staticmethod
    def _latin_forms(a: KnownAgency) -> set[str]:
        places, body = split_places(a.name)
        out = {normalise_latin(x) for x in a.aliases if x.isascii() and normalise_latin(x)}
        if not places:
            return out | {_pinyin(a.name)}
        last = places[-1]
        if body in _GOVERNMENT_BODIES:
            core = _pinyin(last.core if len(last.core) >= 2 else last.text)
            out.add(core)
            short = next((k for k in _TYPE_WORDS_EN if last.kind.startswith(k) or last.kind == k), None)
            for word in _TYPE_WORDS_EN.get(short or "", ()):
                out.add(core + word)
            if "政府" in body:
                out |= {core + "government", core + "citygovernment", core + "municipalgovernment",
                        core + "peoplesgovernment"}
        else:
            # Pinyin per part (each cached: places and department names repeat across agencies).
            out.add(_pinyin(last.core) + _pinyin(body))
            out.add(_pinyin(last.core) + _pinyin(last.kind) + _pinyin(body))
        return out

    # ---- matching ---------------------------------------------------------------------------

    def find_exact(self, text: str) -> list[Match]:
        """Every strong alias said in ``text``, longest first, without overlaps."""
        found: list[Match] = []
        n = len(text)
        taken = [False] * n
        candidates: list[tuple[int, int]] = []
        for i in range(n):
            for j in range(min(n, i + self.max_len), i + 1, -1):
                if text[i:j] in self._strong:
                    candidates.append((i, j))
                    break
        for i, j in sorted(candidates, key=lambda s: -(s[1] - s[0])):
            if any(taken[i:j]):
                continue
            for k in range(i, j):
                taken[k] = True
            found.append(Match(list(self._strong[text[i:j]].values()), text[i:j], (i, j), "exact"))
        return sorted(found, key=lambda m: m.span)

    def find_weak(self, text: str) -> list[Match]:
        found: list[Match] = []
        for key, agencies in self._weak.items():
            i = text.find(key)
            if i >= 0:
                found.append(Match(list(agencies.values()), key, (i, i + len(key)), "weak"))
        found.sort(key=lambda m: -len(m.mention))
        out: list[Match] = []
        for m in found:
            if all(m.span[1] <= o.span[0] or m.span[0] >= o.span[1] for o in out):
                out.append(m)
        return sorted(out, key=lambda m: m.span)

    def find_latin(self, words: Sequence[str]) -> tuple[list[Match], set[int]]:
        """Pinyin or English names among ``words`` (already lower-case); returns matches and used word indexes."""
        out: list[Match] = []
        used: set[int] = set()
        for size in (4, 3, 2, 1):
            for i in range(len(words) - size + 1):
                if any(k in used for k in range(i, i + size)):
                    continue
                key = "".join(normalise_latin(w) for w in words[i:i + size])
                if len(key) < 4:
                    continue
                if key in self._latin:
                    out.append(Match(list(self._latin[key].values()), " ".join(words[i:i + size]), (i, i + size),
                                     "pinyin"))
                    used |= set(range(i, i + size))
        return out, used

    def fuzzy_latin(self, word: str, limit: int = 3) -> list[tuple[KnownAgency, float]]:
        key = normalise_latin(word)
        if len(key) < 5 or not self._latin:
            return []
        hits = process.extract(key, list(self._latin), scorer=fuzz.ratio, limit=limit, score_cutoff=80)
        return self._agencies_of(self._latin, hits)

    def fuzzy(self, mention: str, limit: int = 3, cutoff: float = 40) -> list[tuple[KnownAgency, float]]:
        """Closest agencies to a Chinese mention, scored on the distinctive part only.

        "乌阳街道" is compared as "乌阳" with the places' own names ("乌杨"), never with the shared
        "街道办事处"; a department as place + body ("南平教育居" with "南平教育局").
        """
        if not self._distinct:
            return []
        key = _distinct_key(mention)
        hits = process.extract(key, self._distinct_keys, scorer=fuzz.ratio, limit=limit * 8, score_cutoff=cutoff)
        kind = next(iter(split_places(mention)[0][-1:]), None)
        scored: dict[int, tuple[KnownAgency, float]] = {}
        for k, score, _ in hits:
            for a in self._distinct[k].values():
                own = split_places(a.name)[0][-1:]
                # Same kind of body (街道 / 镇 / 县 …) breaks ties between equally close names.
                bonus = 1.0 if kind and own and own[0].kind[:1] == kind.kind[:1] else 0.0
                if a.id not in scored or scored[a.id][1] < score + bonus:
                    scored[a.id] = (a, score + bonus)
        # Two-character names one character apart score 50: only worth suggesting for the same kind of body.
        ranked = sorted((t for t in scored.values() if t[1] >= 60 or t[1] > 50), key=lambda t: (-t[1], t[0].name))
        return [(a, min(100.0, score)) for a, score in ranked[:limit]]

    @staticmethod
    def _agencies_of(table: dict[str, dict[int, KnownAgency]], hits) -> list[tuple[KnownAgency, float]]:
        best: dict[int, tuple[KnownAgency, float]] = {}
        for key, score, _ in hits:
            for a in table[key].values():
                if a.id not in best or best[a.id][1] < score:
                    best[a.id] = (a, float(score))
        return sorted(best.values(), key=lambda t: (-t[1], t[0].name))

    def closest(self, mention: str, limit: int = 3) -> list[KnownAgency]:
        if mention.isascii():
            return [a for a, _ in self.fuzzy_latin(mention, limit)]
        return [a for a, _ in self.fuzzy(mention, limit, cutoff=40)]


def looks_like_agency(text: str) -> bool:
    """A leftover Chinese chunk that names a body: ends like a place or an office."""
    return bool(re.search(r"(?:" + "|".join(_PLACE_SUFFIXES) + r"|政府|局|委|委员会|办|办公室|厅|中心|署|院|所|处"
                          r"|站|队)$", text))
