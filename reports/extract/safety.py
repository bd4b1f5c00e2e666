"""Limits and guards every reader goes through: size caps, zip streaming caps, unsafe XML, encryption.

Office files (.docx, .xlsx) are zips, so the parts a reader inflates pass the same member caps as
an uploaded archive; their XML parts are refused when they declare a DTD (Office never does, an
entity expansion bomb always does).
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass
from typing import Literal, Self

ErrorCode = Literal["too_large", "empty", "corrupt", "encrypted", "scanned", "unsupported", "zip_bomb", "timeout"]

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps applied while reading one uploaded file (defaults follow MAX_UPLOAD_MB = 20)."""

    max_bytes: int = 20 * MiB
    # Zip archives (uploads, and .docx/.xlsx, which are zips too).
    max_members: int = 2000
    max_member_bytes: int = 64 * MiB
    max_total_bytes: int = 256 * MiB
    # Ratio uncompressed/compressed, only enforced once a member has produced ratio_floor bytes:
    # small XML parts legitimately compress very well.
    max_ratio: float = 200.0
    ratio_floor: int = 1 * MiB
    max_zip_depth: int = 1
    # PDF.
    max_pdf_pages: int = 80
    pdf_seconds: float = 30.0
    # External converters (antiword, LibreOffice).
    convert_seconds: float = 90.0

    @classmethod
    def for_upload_mb(cls, max_upload_mb: float) -> "Limits":
        return cls(max_bytes=int(max_upload_mb * MiB))


class ExtractError(Exception):
    """The file as a whole cannot be read; ``message_zh`` / ``message_en`` are shown to the user."""

    def __init__(self, code: ErrorCode, message_zh: str, message_en: str) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code: ErrorCode = code
        self.message_zh = message_zh
        self.message_en = message_en


@dataclass(frozen=True, slots=True)
class Skipped:
    """A member of an archive that was not read, with the reason in both languages."""

    name: str
    reason: str
    reason_en: str


def _mb(n: int) -> str:
    return f"{n / MiB:.0f} MB" if n >= MiB else f"{n} bytes"


def check_size(data: bytes, limits: Limits) -> None:
    if len(data) > limits.max_bytes:
        raise ExtractError(
            "too_large",
            f"文件过大（{_mb(len(data))}），上限为 {_mb(limits.max_bytes)}",
            f"file too large ({_mb(len(data))}); the limit is {_mb(limits.max_bytes)}",
        )
    if not data.strip():
        raise ExtractError("empty", "文件为空", "the file is empty")


def zip_bomb(what_zh: str, what_en: str) -> ExtractError:
    return ExtractError("zip_bomb", f"压缩包异常，已拒绝：{what_zh}", f"archive refused: {what_en}")


def corrupt(kind_zh: str, kind_en: str, detail: str = "") -> ExtractError:
    tail = f"（{detail}）" if detail else ""
    tail_en = f" ({detail})" if detail else ""
    return ExtractError("corrupt", f"{kind_zh}文件已损坏，无法读取{tail}", f"the {kind_en} file is corrupt and cannot be read{tail_en}")


# --- zips -----------------------------------------------------------------------------------

_CHUNK = 64 * 1024
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"), "<!ENTITY".encode("utf-16-le"))
_CARRY = max(len(m) for m in _DTD_MARKERS)


class ZipBudget:
    """Counts uncompressed bytes across every member read from one upload (nested zips included)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.total = 0
        self.members = 0

    def count_members(self, n: int) -> None:
        self.members += n
        if self.members > self.limits.max_members:
            raise zip_bomb(f"成员文件超过 {self.limits.max_members} 个", f"more than {self.limits.max_members} members")


class _CountingBytes(io.BytesIO):
    """Counts the compressed bytes zipfile reads, so ratios are measured as the data streams."""

    bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def open_zip(data: bytes, *, kind_zh: str = "压缩", kind_en: str = "zip") -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(_CountingBytes(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise corrupt(kind_zh, kind_en, str(exc)) from exc
    return zf


def encrypted_member(zh: str, en: str) -> ExtractError:
    return ExtractError("encrypted", f"{zh}已加密（设有密码），无法读取", f"the {en} is password-protected and cannot be read")


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author wrote it: UTF-8 when flagged, otherwise usually GBK."""
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: ZipBudget, *, archive_size: int,
                refuse_dtd: bool = False) -> bytes:
    """Decompress one member while counting: never trusts the sizes written in the headers."""
    limits = budget.limits
    shown = member_name(info)
    counter = zf.fp if isinstance(zf.fp, _CountingBytes) else None
    # Sizes in the headers bound nothing: the ratio is taken against the compressed bytes actually
    # read so far (or, for a zip opened elsewhere, at most the archive's real size).
    header_compressed = max(1, min(info.compress_size or 1, archive_size))
    out = bytearray()
    tail = b""
    try:
        with zf.open(info) as fh:
            start = counter.bytes_read if counter is not None else 0
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                out += chunk
                budget.total += len(chunk)
                if len(out) > limits.max_member_bytes:
                    raise zip_bomb(f"“{shown}”解压后超过 {_mb(limits.max_member_bytes)}",
                                   f"“{shown}” expands beyond {_mb(limits.max_member_bytes)}")
                if budget.total > limits.max_total_bytes:
                    raise zip_bomb(f"解压总量超过 {_mb(limits.max_total_bytes)}",
                                   f"total expanded size exceeds {_mb(limits.max_total_bytes)}")
                compressed = max(1, counter.bytes_read - start) if counter is not None else header_compressed
                if len(out) > limits.ratio_floor and len(out) / compressed > limits.max_ratio:
                    raise zip_bomb(f"“{shown}”压缩比异常（超过 {limits.max_ratio:.0f} 倍）",
                                   f"“{shown}” has a suspicious compression ratio (over {limits.max_ratio:.0f}:1)")
                if refuse_dtd:
                    window = tail + chunk
                    if any(m in window for m in _DTD_MARKERS):
                        raise ExtractError("corrupt", f"文件中的 XML 部件“{shown}”含有 DTD/实体定义，已拒绝",
                                           f"the XML part “{shown}” declares a DTD or entities; refused")
                    tail = window[-_CARRY:]
    except ExtractError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise corrupt("压缩", "zip", f"{shown}: {exc}") from exc
    return bytes(out)


class OfficeZip:
    """A .docx/.xlsx package opened under the caps; a part is inflated only when a reader asks for it.

    The member count and the encryption flag are checked over the whole directory up front. Each part
    read goes through ``read_member`` (size, ratio and total caps while streaming, DTD refusal for
    XML); parts no reader needs (styles, themes, images) are never inflated, so they cost nothing and
    cannot bomb anything.
    """

    def __init__(self, data: bytes, limits: Limits, *, kind_zh: str, kind_en: str,
                 budget: ZipBudget | None = None) -> None:
        self.budget = budget or ZipBudget(limits)
        self.size = len(data)
        self.zf = open_zip(data, kind_zh=kind_zh, kind_en=kind_en)
        try:
            infos = self.zf.infolist()
            # An Office file's parts are capped on their own: they must not use up an archive's quota.
            if len(infos) > limits.max_members:
                raise zip_bomb(f"文件内部件超过 {limits.max_members} 个", f"more than {limits.max_members} parts in the file")
            if any(info.flag_bits & 0x1 for info in infos):
                raise encrypted_member(f"{kind_zh}文件", f"{kind_en} file")
        except ExtractError:
            self.zf.close()
            raise
        self.infos = {info.filename: info for info in infos if not info.is_dir()}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zf.close()

    def read(self, name: str) -> bytes | None:
        """The part's bytes, or None when the package has no such part."""
        info = self.infos.get(name)
        if info is None:
            return None
        is_xml = name.endswith((".xml", ".rels"))
        return read_member(self.zf, info, self.budget, archive_size=self.size, refuse_dtd=is_xml)


# --- OLE compound files (legacy .doc / .xls, encrypted OOXML) --------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True, slots=True)
class OleEntry:
    name: str
    start: int
    size: int


def ole_entries(data: bytes) -> list[OleEntry]:
    """The directory of a Compound File Binary: enough to tell .doc from .xls from an encrypted package."""
    if len(data) < 512 or not data.startswith(OLE_MAGIC):
        raise corrupt("Office", "Office")
    sector_shift = struct.unpack_from("<H", data, 30)[0]
    if sector_shift not in (9, 12):
        raise corrupt("Office", "Office", "bad sector size")
    ssz = 1 << sector_shift
    n_fat = struct.unpack_from("<I", data, 44)[0]
    dir_start = struct.unpack_from("<I", data, 48)[0]
    difat = list(struct.unpack_from("<109I", data, 76))[: min(n_fat, 109)]

    def sector(i: int) -> bytes:
        off = (i + 1) * ssz
        if off + ssz > len(data):
            raise corrupt("Office", "Office", "sector out of range")
        return data[off: off + ssz]

    fat: list[int] = []
    for s in difat:
        fat.extend(struct.unpack(f"<{ssz // 4}I", sector(s)))
    entries: list[OleEntry] = []
    seen: set[int] = set()
    s = dir_start
    while s < 0xFFFFFFFA:
        if s in seen or s >= len(fat) or len(seen) > 10_000:
            raise corrupt("Office", "Office", "bad directory chain")
        seen.add(s)
        block = sector(s)
        for off in range(0, ssz, 128):
            raw = block[off: off + 128]
            name_len = struct.unpack_from("<H", raw, 64)[0]
            if raw[66] == 0 or not 2 <= name_len <= 64:
                continue
            name = raw[: name_len - 2].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<IQ", raw, 116)
            entries.append(OleEntry(name, start, size))
        s = fat[s]
    return entries


def ole_sector_bytes(data: bytes, entry: OleEntry, n: int) -> bytes:
    """The first ``n`` bytes of a regular-FAT stream (streams of 4096 bytes or more live there)."""
    ssz = 1 << struct.unpack_from("<H", data, 30)[0]
    off = (entry.start + 1) * ssz
    return data[off: off + n]
