"""The Simplified Chinese catalogue is complete, its compiled .mo matches it, and the admin uses it."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LC_MESSAGES = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"
PLACEHOLDER = re.compile(r"%\([^)]+\)[a-z]|%[a-z%]|\{[^{}]*\}")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)


def parse_po(text: str) -> list[Entry]:
    """A small .po parser: flags, msgctxt, msgid, msgid_plural, msgstr and msgstr[n]; skips obsolete."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            target = None
            continue
        if line.startswith("#"):
            if current is not None and current.msgstr:
                entries.append(current)
                current = None
            if current is None:
                current = Entry(line=number)
            if line.startswith("#,"):
                current.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            assert target is not None, f"line {number}: continuation without a keyword"
            _append(current, target, ast.literal_eval(line))
            continue
        if keyword in {"msgctxt", "msgid"} and current is not None and current.msgstr:
            entries.append(current)
            current = None
        if current is None:
            current = Entry(line=number)
        index = None
        if keyword.startswith("msgstr["):
            index = int(keyword[len("msgstr[") : -1])
            keyword = "msgstr"
        elif keyword == "msgstr":
            index = 0
        target = (keyword, index)
        _append(current, target, ast.literal_eval(rest))
    if current is not None and current.msgstr:
        entries.append(current)
    return entries


def _append(entry: Entry, target: tuple[str, int | None], text: str) -> None:
    keyword, index = target
    if keyword == "msgstr":
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
    else:
        setattr(entry, keyword, (getattr(entry, keyword) or "") + text)


def _entries() -> list[Entry]:
    return parse_po(PO.read_text(encoding="utf-8"))


def _messages() -> list[Entry]:
    return [entry for entry in _entries() if entry.msgid]


def test_the_parser_reads_flags_plurals_and_continuations():
    entries = parse_po(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid ""\n"%(n)d "\n"item"\nmsgid_plural "%(n)d items"\n'
        'msgstr[0] "%(n)d 项"\n\n#~ msgid "old"\n#~ msgstr "旧"\n'
    )
    assert [(e.msgid, e.flags, e.msgid_plural, e.msgstr) for e in entries] == [
        ("", set(), None, {0: "Language: zh_Hans\n"}),
        ("%(n)d item", {"fuzzy", "python-format"}, "%(n)d items", {0: "%(n)d 项"}),
    ]


def test_the_catalogue_is_not_trivially_small():
    assert len(_messages()) >= 300


def test_the_header_declares_simplified_chinese_utf8_and_one_plural_form():
    header = next(entry for entry in _entries() if not entry.msgid).msgstr[0]
    assert "Language: zh_Hans\n" in header
    assert "Content-Type: text/plain; charset=UTF-8\n" in header
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header


def test_no_message_is_left_untranslated():
    empty = [entry.msgid for entry in _messages() if not all(entry.msgstr.values())]
    assert empty == []


def test_no_entry_is_fuzzy():
    fuzzy = [entry.msgid or "<header>" for entry in _entries() if "fuzzy" in entry.flags]
    assert fuzzy == []


def test_plural_messages_have_exactly_one_form():
    wrong = [entry.msgid for entry in _messages() if entry.msgid_plural and set(entry.msgstr) != {0}]
    assert wrong == []


def test_translations_keep_every_placeholder():
    changed = [
        entry.msgid
        for entry in _messages()
        for text in entry.msgstr.values()
        if sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(text))
    ]
    assert changed == []


def test_the_committed_mo_matches_the_po():
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in _messages():
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        got = compiled.ngettext(key, entry.msgid_plural, 1) if entry.msgid_plural else compiled.gettext(key)
        if got != entry.msgstr[0]:
            stale.append(entry.msgid)
    assert stale == []


@pytest.mark.django_db
def test_admin_login_page_is_chinese_for_a_chinese_browser(client):
    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "电子邮箱地址" in page  # the login field's label, from this project's catalogue
    assert "Email address" not in page


@pytest.mark.django_db
def test_admin_login_page_is_english_for_an_english_browser(client):
    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Email address" in page
    assert "电子邮箱地址" not in page
