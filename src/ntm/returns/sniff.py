"""What a file is, by its first bytes: a zip (.xlsx/.xlsm), an OLE compound file (.xls, or a
password-protected .xlsx), or something renamed (CSV, HTML, PDF…), named in the refusal."""

from __future__ import annotations

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_OLE_WORKBOOK_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))


def sniff_other(data: bytes) -> str:
    head = data[:2048].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower()
    if not data:
        return "0 bytes"
    if head.startswith(b"%pdf"):
        return "PDF"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in data[:4096]:
        return "Excel 2003 XML"
    if any(tag in head for tag in (b"<html", b"<!doctype html", b"<table", b"<head", b"<body")):
        return "HTML"
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return "XML"
    if head.startswith(b"{\\rtf"):
        return "RTF"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "binary"
    return "CSV/text"
