"""Hypothesis strategies that damage a valid input file the way the attack did: hostile
snippets inserted or swapped in, truncation, deleted and repeated stretches."""

from __future__ import annotations

import io
import zipfile

from hypothesis import strategies as st

# What the attack threw at the readers: bad bytes and encodings, markup, impossible and
# future dates, huge numbers, entity declarations, deep nesting, the OFAC null and EOF byte.
LIST_SNIPPETS = (
    b"\x00", b"\xff", b"\xc3\x28", b"\xef\xbb\xbf", b"\x1a", b"<", b"</x>", b"&", b"&e;",
    b"]]>", b'"', b"'", b",", b";", b"\n", b"\r\n", b"{", b"[", b"]}", b"2022-13-45",
    b"2099-12-31", b"31/02/2022", b"-0- ", b"9" * 5000, b"<x>" * 300, b"[" * 3000,
    b"<!DOCTYPE a [<!ENTITY e 'x'>]>", b'<?xml version="1.0" encoding="UTF-16"?>',
    b'{"id": "x", "schema": "Company"}', b', "n": ' + b"9" * 5000,
)
# ... and at the rule files: anchors, aliases and bombs, tags, deep flow nesting, numbers
# too long to convert, impossible dates, directives and document markers, tabs.
YAML_SNIPPETS = (
    b"&a ", b"*a", b"*nowhere", b"<<: *a\n", b"!!python/object:os.system ", b"!!binary x",
    b"[" * 200, b"{a: " * 80, b"- ", b": ", b"\t", b"9" * 5000, b"0x" + b"f" * 5000,
    b"1e400", b".nan", b"~", b"'", b'"\\x', b"%YAML 1.1\n---\n", b"---\n", b"...\n", b"? ",
    b"|", b">", b"#", b"\x00", b"\xff", b"2022-13-45", b"\n" + b"  " * 60 + b"x: 1",
    b"\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, "
    b"*b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
)
OPERATIONS = ("insert", "replace", "cut", "delete", "repeat")


@st.composite
def damaged(draw: st.DrawFn, data: bytes, snippets: tuple[bytes, ...]) -> bytes:
    """``data`` after one to three damaging operations."""
    out = data
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(OPERATIONS))
        at = draw(st.integers(0, len(out)))
        width = draw(st.integers(1, 64))
        if kind == "insert":
            out = out[:at] + draw(st.sampled_from(snippets)) + out[at:]
        elif kind == "replace":
            out = out[:at] + draw(st.sampled_from(snippets)) + out[at + width:]
        elif kind == "cut":
            out = out[:at]
        elif kind == "delete":
            out = out[:at] + out[at + width:]
        else:
            out = out[:at + width] + out[at:at + width] * draw(st.integers(1, 3)) + out[at:]
    return out


@st.composite
def damaged_xlsx(draw: st.DrawFn, data: bytes) -> bytes:
    """A workbook with one of its parts damaged (or left out), zipped again; or the zip
    itself damaged."""
    book = zipfile.ZipFile(io.BytesIO(data))
    names = book.namelist()
    target = draw(st.sampled_from([*names, "(the zip itself)"]))
    if target == "(the zip itself)":
        return draw(damaged(data, LIST_SNIPPETS))
    drop = draw(st.booleans()) and draw(st.booleans())
    part = None if drop else draw(damaged(book.read(target), LIST_SNIPPETS))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for name in names:
            body = part if name == target else book.read(name)
            if body is not None:
                new.writestr(name, body)
    return out.getvalue()
