"""Small real files of every evidence type, made here rather than kept as binaries:
a one-page PDF with its cross-reference table and %%EOF, a 1×1 PNG, a baseline JPEG,
a Word document and an Excel workbook (OOXML packages), a plain zip, an OFD package
(GB/T 33190) and an empty OLE2 compound file (the container of old .doc/.xls).

Each passes ducha.ledger.evidence.check_upload; the tests spoil them to show what is refused.
"""

import io
import struct
import zipfile
import zlib

import openpyxl


def pdf_parts(text: str = "Ducha evidence", *, padding: int = 0) -> tuple[bytes, int, bytes]:
    """A one-page PDF showing `text` (ASCII), with a correct xref table, in three parts: the
    start, a number of "0" padding bytes (inside a comment after the header) and the rest,
    so that a test can make a large real PDF without holding it (`padding` bytes in all
    for the padding line, when 2 or more)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    start = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + (b"%" if padding >= 2 else b"")
    zeros = padding - 2 if padding >= 2 else 0
    rest = io.BytesIO()
    rest.write(b"\n" if padding >= 2 else b"")
    base = len(start) + zeros
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(base + rest.tell())
        rest.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = base + rest.tell()
    rest.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        rest.write(b"%010d 00000 n \n" % offset)
    rest.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return start, zeros, rest.getvalue()


def pdf(text: str = "Ducha evidence", *, padding: int = 0) -> bytes:
    """A one-page PDF showing `text`; `padding` bytes of comment make it as large as a test needs."""
    start, zeros, rest = pdf_parts(text, padding=padding)
    return start + b"0" * zeros + rest


def pdf_padding_for(size: int) -> int:
    """The padding that makes a PDF exactly `size` bytes (at least a few hundred)."""
    padding = 0
    for _ in range(5):
        start, zeros, rest = pdf_parts(padding=padding)
        length = len(start) + zeros + len(rest)
        if length == size:
            return padding
        padding += size - length
    raise ValueError(f"cannot make a PDF of {size} bytes")


def pdf_of_size(size: int) -> bytes:
    """A real PDF of exactly `size` bytes."""
    return pdf(padding=pdf_padding_for(size))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png() -> bytes:
    """A 1×1 white RGB PNG."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", pixels) + _png_chunk(b"IEND", b"")


def jpeg() -> bytes:
    """A baseline 8×8 grey JPEG: one quantisation table, one-code Huffman tables, one block."""
    segments = [
        b"\xff\xd8",  # SOI
        b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",  # APP0
        b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + b"\x01" * 64,  # DQT
        b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 8, 8, 1) + b"\x01\x11\x00",  # SOF0: 8×8, one component
        b"\xff\xc4" + struct.pack(">H", 20) + b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00",  # DC: one code → 0
        b"\xff\xc4" + struct.pack(">H", 20) + b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00",  # AC: one code → EOB
        b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00" + b"\x00\x3f\x00",  # SOS
        b"\x3f",  # DC difference 0, end of block; padded with ones
        b"\xff\xd9",  # EOI
    ]
    return b"".join(segments)


def zip_of(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX_PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>",
    "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="word/document.xml"/></Relationships>',
    "word/document.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>整改报告</w:t></w:r></w:p></w:body></w:document>".encode(),
}


def docx(parts: dict[str, bytes] | None = None) -> bytes:
    """A one-paragraph Word document, with `parts` replacing or adding parts (None removes one)."""
    members = {**DOCX_PARTS, **(parts or {})}
    return zip_of({name: content for name, content in members.items() if content is not None})


def xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["问题编号", "整改情况"])
    workbook.active.append(["Q-1", "已整改"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ofd() -> bytes:
    """An OFD package: the OFD.xml entry file pointing at one document."""
    return zip_of(
        {
            "OFD.xml": b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD">'
            b"<ofd:DocBody><ofd:DocInfo><ofd:DocID>0</ofd:DocID></ofd:DocInfo>"
            b"<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
            "Doc_0/Document.xml": b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CommonData><ofd:MaxUnitID>1</ofd:MaxUnitID>'
            b"<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData>"
            b"<ofd:Pages/></ofd:Document>",
        }
    )


def compound_file() -> bytes:
    """An empty OLE2 compound file, version 3: header, one FAT sector, one directory sector
    holding the root entry."""
    end_of_chain, free, fat_sector, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end_of_chain, 0, end_of_chain, 0)
    header += struct.pack("<109I", 0, *[free] * 108)
    fat = struct.pack("<128I", fat_sector, end_of_chain, *[free] * 126)
    name = "Root Entry".encode("utf-16-le") + b"\x00\x00"
    root = name.ljust(64, b"\x00") + struct.pack("<HBB", len(name), 5, 1)
    root += struct.pack("<III", no_stream, no_stream, no_stream) + b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16
    root += struct.pack("<IQ", end_of_chain, 0)
    unused = b"\x00" * 64 + struct.pack("<HBB", 0, 0, 0) + struct.pack("<III", no_stream, no_stream, no_stream)
    unused += b"\x00" * 48
    directory = root + unused * 3
    assert len(header) == len(fat) == len(directory) == 512
    return header + fat + directory


PDF = pdf()
PNG = png()
JPEG = jpeg()
DOCX = docx()
XLSX = xlsx()
ZIP = zip_of({"说明.txt": "现场照片见附件。".encode()})
OFD = ofd()
OLE = compound_file()  # .doc and .xls are compound files
