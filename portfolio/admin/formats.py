"""Import file formats: CSV in the encodings spreadsheet programs save, read before any row is imported."""

from __future__ import annotations

import codecs

import tablib
from django.utils.translation import gettext
from import_export.formats.base_formats import CSV

# Byte order marks, longest first (UTF-32 LE starts with UTF-16 LE's mark).
BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


class ImportFileError(ValueError):
    """The file cannot be read; the message says what to do, in the staff's language."""


def text_decode(data: bytes) -> str:
    """The text of a CSV file from Excel or WPS: UTF-8 (with or without BOM), UTF-16/32 with BOM, GBK.

    Excel on Chinese Windows saves "CSV" in the ANSI code page (GBK, decoded here as GB18030, its
    superset), "CSV UTF-8" with a BOM and "Unicode text" as UTF-16 with a BOM. Strict decoding,
    tried in that order, never guesses: a file that is neither is refused rather than imported
    as mojibake (statistical detection is unreliable on a few short firm names).
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            candidates = [encoding]
            break
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        gettext(
            "The file's characters cannot be read (it is not UTF-8, UTF-16 or GBK/GB18030). "
            "Save it as CSV UTF-8 or as XLSX and import it again."
        )
    )


class EncodingDetectingCSV(CSV):
    """CSV whose bytes are decoded by ``text_decode``; comma- or (Excel's Unicode text) tab-separated."""

    def is_binary(self) -> bool:
        # Read as bytes: the admin would otherwise decode the file as UTF-8 before we see it.
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        text = text_decode(in_stream) if isinstance(in_stream, bytes) else in_stream
        first_line = text.split("\n", 1)[0]
        if "\t" in first_line and "," not in first_line:
            kwargs.setdefault("delimiter", "\t")
        return tablib.import_set(text, format="csv", **kwargs)
