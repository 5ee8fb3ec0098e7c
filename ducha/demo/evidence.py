"""Evidence files for the demo: a tiny one-page PDF per rectified problem, written by hand.

A real PDF 1.4 file (header, catalogue, one A4 page, fonts, a content stream, an
information dictionary, a cross-reference table with the objects' byte offsets, the
trailer, ``startxref`` and ``%%EOF``), a few hundred bytes. It opens in any PDF reader
and passes the upload checks (ledger/evidence.py check_upload). No dependency: the
demo must not need a PDF library.

The page shows the heading 整改完成情况说明 in STSong-Light, one of the standard
Chinese fonts every PDF reader provides (not embedded: Adobe-GB1 with the UniGB-UCS2-H
encoding, two bytes a character), and the problem number, unit and completion date in
Helvetica, the standard Latin font. The document title says the same in Chinese
(UTF-16, as PDF text strings allow).
"""

import datetime as dt

from ducha.ledger.evidence import EvidenceUpload

_FONTS = (
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
    b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
    b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 >>",
    b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]"
    b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
)


def _latin(text: str) -> bytes:
    """A PDF literal string in the Latin font: ASCII only, with ( ) \\ escaped."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("ascii") + b")"


def _ucs2(text: str) -> bytes:
    """A hex string of big-endian UTF-16 code units (UniGB-UCS2-H: the Chinese font's encoding)."""
    return b"<" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _text_string(text: str) -> bytes:
    """A PDF text string (document information): UTF-16BE with its byte order mark, in hex."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def rectification_pdf(number: str, unit_code: str, completed_on: dt.date, title: str = "整改完成情况说明") -> bytes:
    """A one-page PDF stating that problem `number` of unit `unit_code` was rectified on `completed_on`."""
    lines = [f"Problem: {number}", f"Unit: {unit_code}", f"Rectification completed on {completed_on.isoformat()}"]
    return one_page_pdf(title, lines, completed_on, f"{title} {number}")


def one_page_pdf(heading: str, lines: list[str], day: dt.date, title: str) -> bytes:
    """A one-page PDF: `heading` in the Chinese font, then `lines` (ASCII) in the Latin one;
    `title` its document title, `day` its creation date."""
    rows = [
        (b"/F2 18 Tf", 72, 770, _ucs2(heading)),
        *((b"/F1 12 Tf", 72, 736 - 18 * n, _latin(line)) for n, line in enumerate(lines)),
    ]
    content = b"\n".join(
        b"BT %s %d %d Td %s Tj ET" % (font, x, y, text) for font, x, y, text in rows
    )  # fmt: skip
    stamp = day.strftime("D:%Y%m%d180000+08'00'").encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        b" /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 8 0 R >>",
        *_FONTS,
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Title %s /Producer (Ducha demo) /CreationDate (%s) >>" % (_text_string(title), stamp),
    ]
    # %PDF-1.4, then a comment of four bytes above 127: the file is binary (PDF 1.4, 7.5.2).
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)  # 20 bytes an entry
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n" % (len(objects) + 1, len(objects))
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def rectification_evidence(number: str, unit_code: str, completed_on: dt.date) -> EvidenceUpload:
    """The upload a unit attaches when it reports problem `number` rectified."""
    return EvidenceUpload(f"{number}-整改完成情况说明.pdf", rectification_pdf(number, unit_code, completed_on))
