"""Text and HTML readers: encodings, every line kept, span-expanded grids, markup noise ignored."""

from __future__ import annotations

from reports.document import Paragraph, Table
from reports.extract import ExtractError, extract, sniff
from tests.conftest import sample_bytes

import pytest


def _doc(data: bytes, name: str = "report.txt"):
    result = extract(data, name)
    assert len(result.documents) == 1 and not result.skipped
    return result.documents[0]


def _lines(doc) -> list[str]:
    assert all(isinstance(b, Paragraph) for b in doc.blocks)
    return [b.text for b in doc.blocks]


# --- text ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding,prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b""), ("gbk", b"")])
def test_text_encodings_decode_to_the_same_lines(encoding, prefix):
    text = "乌杨街道办事处2020年政府信息公开工作年度报告\r\n\r\n规章\r\n0\r\n\r\n"
    doc = _doc(prefix + text.encode(encoding))
    assert _lines(doc) == ["乌杨街道办事处2020年政府信息公开工作年度报告", "", "规章", "0", ""]
    assert doc.source.shape == "text"


def test_text_keeps_every_line_including_empty_ones(samples_dir):
    data = sample_bytes("wuyang_2020.txt")
    doc = _doc(data, "wuyang_2020.txt")
    expected = data.decode("utf-8").split("\n")
    if expected[-1] == "":
        expected.pop()
    assert _lines(doc) == [line.removesuffix("\r") for line in expected]
    assert "" in _lines(doc)


def test_text_only_carriage_returns_are_stripped():
    doc = _doc("a\t b \r\n\f页\n  c".encode())
    assert _lines(doc) == ["a\t b ", "\f页", "  c"]


# --- HTML ---------------------------------------------------------------------------------------

def test_shanghai_tables_are_span_expanded_with_blank_cells(samples_dir):
    doc = _doc(sample_bytes("shanghai_2019.html"), "shanghai_2019.html")
    assert doc.source.shape == "html"
    disclosure, requests, appeals = doc.tables
    assert (len(disclosure.rows), disclosure.width) == (18, 5)
    assert (len(requests.rows), requests.width) == (26, 10)
    assert (len(appeals.rows), appeals.width) == (4, 15)
    new = next(r for r in requests.rows if r[0].startswith("一、"))
    assert new[3:] == ("821", "35", "", "", "2", "1", "859")
    # The 总计 column is blank in the result rows: '' (not a made-up 0).
    granted = next(r for r in requests.rows if "予以公开" in r[1] and "部分" not in r[1])
    assert granted[-1] == ""
    # rowspan: the group label repeats down its rows, and origin points at its first row.
    r0 = next(i for i, r in enumerate(requests.rows) if "属于国家秘密" in "".join(r))
    r1 = next(i for i, r in enumerate(requests.rows) if "属于行政查询事项" in "".join(r))
    assert requests.rows[r0][1] == requests.rows[r1][1]
    assert requests.origin[r1][1] == requests.origin[r0][1] and requests.is_copy(r1, 1)
    assert not requests.is_copy(r0, 3)
    assert appeals.rows[-1][:5] == ("5", "", "", "2", "7")


def test_html_cells_join_split_labels_and_drop_nbsp():
    page = ("<html><head><script>var x = '规章 99';</script><style>td{}</style></head><body>"
            "<nav>首页 | 政务公开</nav><header>网站头部</header>"
            "<div class='content'><p>2021年某局政府信息公开工作年度报告</p>"
            "<p>第一行<br>第二行</p>"
            "<table><tr><td rowspan='2'>信息内容</td><td colspan='2'>本年新<br>制作数量</td></tr>"
            "<tr><td>0&nbsp;</td><td>&nbsp;</td></tr>"
            "<tr><td><span>规</span><span>章</span></td><td> 1 </td><td>\n2\n</td></tr></table>"
            "<p>&nbsp;</p><p>结尾</p></div><footer>版权所有</footer></body></html>")
    doc = _doc(page.encode("utf-8"), "page.htm")
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert "首页 | 政务公开" not in texts and "网站头部" not in texts and "版权所有" not in texts
    assert not any("99" in t for t in texts)
    # No <title>; an empty <p> is an empty line, kept.
    assert texts == ["2021年某局政府信息公开工作年度报告", "第一行", "第二行", "", "结尾"]
    table = doc.tables[0]
    assert table.rows == (("信息内容", "本年新制作数量", "本年新制作数量"), ("信息内容", "0", ""), ("规章", "1", "2"))
    assert table.origin[1][0] == (0, 0) and table.origin[0][2] == (0, 1)
    # Document order: the table sits between the paragraphs.
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds.index("Table") > texts.index("第二行")
    assert texts[-1] == "结尾"


def test_html_layout_table_is_read_as_flowing_content():
    page = ("<html><body><table><tr><td>导航</td><td>"
            "<p>报告标题</p><table><tr><td>规章</td><td>3</td></tr></table>"
            "</td></tr></table></body></html>")
    doc = _doc(page.encode(), "x.html")
    assert [b.text for b in doc.blocks if isinstance(b, Paragraph)] == ["导航", "报告标题"]
    assert doc.tables == [Table((("规章", "3"),), (((0, 0), (0, 1)),))]


def test_html_gbk_page_with_meta_charset():
    page = "<html><head><meta charset='gb2312'></head><body><p>政府信息公开</p></body></html>"
    doc = _doc(page.encode("gb18030"), "x.html")
    assert [b.text for b in doc.blocks] == ["政府信息公开"]


def test_kind_is_sniffed_from_content_not_name():
    assert sniff(b"<!DOCTYPE html><html><body>x</body></html>") == "html"
    assert sniff("年度报告".encode()) == "text"
    doc = _doc(b"<html><body><p>x</p></body></html>", "named_like_a.pdf")
    assert doc.source.shape == "html"
    assert _doc("纯文本".encode(), "named_like_a.html").source.shape == "text"


def test_oversized_and_empty_files_are_refused_before_reading():
    from reports.extract import Limits

    with pytest.raises(ExtractError) as big:
        extract(b"x" * 2048, "a.txt", limits=Limits(max_bytes=1024))
    assert big.value.code == "too_large" and "上限" in big.value.message_zh and "limit" in big.value.message_en
    with pytest.raises(ExtractError) as empty:
        extract(b"  \n", "a.txt")
    assert empty.value.code == "empty"


def test_binary_junk_is_unsupported():
    with pytest.raises(ExtractError) as err:
        extract(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100), "photo.txt")
    assert err.value.code == "unsupported"


def test_mht_web_archive_saved_under_a_doc_name_is_read_as_a_page():
    import quopri

    page = ("<html><head><meta charset=gb2312></head><body><p>政府信息公开工作年度报告</p>"
            "<table><tr><td>规章</td><td>3</td></tr></table></body></html>").encode("gb2312")
    mht = (b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="B"\r\n\r\n--B\r\n'
           b'Content-Location: file:///C:/report.htm\r\nContent-Transfer-Encoding: quoted-printable\r\n'
           b'Content-Type: text/html; charset="gb2312"\r\n\r\n' + quopri.encodestring(page) + b"\r\n--B--\r\n")
    assert sniff(mht) == "mhtml"
    doc = _doc(mht, "report.doc")
    assert doc.source.shape == "html"
    assert doc.blocks[0] == Paragraph("政府信息公开工作年度报告")
    assert doc.tables[0].rows == (("规章", "3"),)


def test_absurd_spans_are_clamped():
    page = ('<table><tr><td rowspan="65534" colspan="3">合并</td><td>1</td></tr>'
            '<tr><td>2</td></tr></table>').encode()
    (table,) = _doc(b"<html><body>" + page + b"</body></html>", "x.html").tables
    assert table.rows == (("合并", "合并", "合并", "1"), ("合并", "合并", "合并", "2"))
    with pytest.raises(ExtractError) as err:
        extract(b'<html><body><table>' + b'<tr><td colspan="1000">x</td></tr>' * 300 + b"</table></body></html>", "x.html")
    assert err.value.code == "unsupported"
