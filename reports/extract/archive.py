"""Zip archives holding many reports: nested folders, GBK member names, junk files, one nested zip.

Every member is decompressed through ``safety.read_member``, which counts bytes while streaming
(member size, total size, compression ratio) instead of trusting the sizes in the headers; the
member count is capped before anything is decompressed. Members that cannot be read are listed
as ``Skipped`` with the reason; a zip bomb refuses the whole upload.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Callable

from .safety import ExtractError, Limits, Skipped, ZipBudget, encrypted_member, member_name, open_zip, read_member

_JUNK_NAMES = {".ds_store", "thumbs.db", "desktop.ini", ".localized"}
_TEXT_SUFFIXES = {"", ".txt", ".text"}
_DRIVE = re.compile(r"^[A-Za-z]:")


def is_junk(name: str) -> bool:
    parts = [p for p in name.replace("\\", "/").split("/") if p]
    if not parts:
        return True
    base = parts[-1]
    return ("__MACOSX" in parts or base.lower() in _JUNK_NAMES or base.startswith("~$") or base.startswith("._"))


def is_unsafe(name: str) -> bool:
    path = name.replace("\\", "/")
    return path.startswith("/") or bool(_DRIVE.match(path)) or ".." in path.split("/")


if TYPE_CHECKING:
    from . import ExtractResult

ExtractFn = Callable[[bytes, str, Limits, ZipBudget, int], "ExtractResult"]


def read_archive(data: bytes, filename: str, limits: Limits, budget: ZipBudget, depth: int,
                 extract_fn: ExtractFn) -> "ExtractResult":
    from . import ExtractResult, sniff

    result = ExtractResult()
    zf = open_zip(data)
    with zf:
        infos = zf.infolist()
        budget.count_members(len(infos))
        candidates = 0
        for info in infos:
            name = member_name(info)
            if info.is_dir() or is_junk(name):
                continue
            candidates += 1
            shown = posixpath.join(filename, name.replace("\\", "/"))
            if is_unsafe(name):
                result.skipped.append(Skipped(shown, "文件名含有“..”或绝对路径，已忽略",
                                              "the name contains “..” or an absolute path; ignored"))
                continue
            if info.flag_bits & 0x1:
                err = encrypted_member("该文件", "member")
                result.skipped.append(Skipped(shown, err.message_zh, err.message_en))
                continue
            content = read_member(zf, info, budget, archive_size=len(data))
            kind = sniff(content)
            if kind == "zip" and depth >= limits.max_zip_depth:
                result.skipped.append(Skipped(shown, "压缩包嵌套层数过多，未读取", "zip nested too deeply; not read"))
                continue
            if kind == "text" and posixpath.splitext(name.lower())[1] not in _TEXT_SUFFIXES:
                result.skipped.append(Skipped(shown, "不是报告文件（文本、网页、Word、PDF、Excel）",
                                              "not a report file (text, HTML, Word, PDF, Excel)"))
                continue
            try:
                inner = extract_fn(content, shown, limits, budget, depth + 1)
            except ExtractError as exc:
                if exc.code == "zip_bomb":
                    raise
                result.skipped.append(Skipped(shown, exc.message_zh, exc.message_en))
                continue
            result.documents.extend(inner.documents)
            result.skipped.extend(inner.skipped)
    if candidates == 0:
        raise ExtractError("empty", "压缩包中没有文件", "the archive holds no files")
    return result
