"""A structural check of the demo's evidence PDFs, stricter than the upload check: the
cross-reference table must point at the objects, the stream lengths must be right."""

import re


def assert_valid_pdf(data: bytes) -> None:
    assert re.match(rb"%PDF-1\.[0-7]\n", data), "PDF header"
    startxref = re.search(rb"startxref\n(\d+)\n%%EOF\n?$", data)
    assert startxref, "startxref and %%EOF at the end"
    xref = int(startxref.group(1))
    table = re.match(rb"xref\n0 (\d+)\n", data[xref:])
    assert table, "startxref points at the xref table"
    count, at = int(table.group(1)), xref + table.end()
    entries = [data[at + 20 * i : at + 20 * (i + 1)] for i in range(count)]
    assert entries[0] == b"0000000000 65535 f \n", "free-list head"
    for number, entry in enumerate(entries[1:], start=1):
        assert re.fullmatch(rb"\d{10} 00000 n \n", entry), f"xref entry {number}: {entry!r}"
        offset = int(entry[:10])
        assert data[offset:].startswith(b"%d 0 obj\n" % number), f"object {number} at offset {offset}"
    trailer = data[at + 20 * count :]
    assert trailer.startswith(b"trailer\n") and b"/Size %d " % count in trailer and b"/Root 1 0 R" in trailer
    streams = re.findall(rb"/Length (\d+) >>\nstream\n(.*?)\nendstream", data, re.S)
    assert streams, "a content stream"
    for length, body in streams:
        assert int(length) == len(body), "stream length"
