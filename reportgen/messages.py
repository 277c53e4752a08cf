"""Every sentence reportgen writes, in the reader's language: one gettext catalogue per language.

The texts in the code are English (the gettext convention) and marked: `_("...")` for a
message translated where it is made, `N_("...")` for one kept in a table and translated
where it is used, `ngettext` where a count decides the form. The translations live in
`reportgen/locale/<lang>/LC_MESSAGES/reportgen.po`, one file per language, made and kept up
to date with Babel's tools (`pybabel extract/update`, see docs/maintainers.md). English needs
no catalogue: its texts are the ones in the code.

The catalogues are read as they are, from the `.po` text, when a language is first used:
there is no compiled `.mo` file to build or commit, and the small reader here needs only the
standard library (Babel's own reader would import 30 ms of Babel into `check`); reading the
Danish catalogue takes a few milliseconds. tests/test_messages.py checks that it reads every entry as Babel reads it.

Two kinds of language meet here:
- the *message language*: what the commands print (`use()` sets it; `_` follows it);
- a *page language*: what a report page says (`catalogue(lang)`), whatever the messages are in.
Adding a language is adding its catalogue; no code changes.
"""

from __future__ import annotations

import functools
import gettext as _stdlib_gettext
import os
import re
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "reportgen"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SOURCE_LANGUAGE = "en"  # the language of the texts in the code
FALLBACK_LANGUAGE = "da"  # the messages' language when nothing else decides (the reports are Danish first)

# The environment variables that name the user's language, in the order gettext reads them.
ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def catalogue_path(lang: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def languages(locale_dir: Path = LOCALE_DIR) -> tuple[str, ...]:
    """The languages reportgen can speak: English and every language with a catalogue."""
    found = {p.parent.parent.name for p in locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return tuple(sorted({SOURCE_LANGUAGE, *found}))


class Catalogue:
    """The translations of one language: `gettext`, `ngettext`, `pgettext` as in the standard library."""

    def __init__(self, lang: str, entries: Mapping[tuple[str | None, str], str | list[str]] | None = None,
                 plural: str = "n != 1"):
        self.lang = lang
        self.entries = dict(entries or {})
        self._plural = _stdlib_gettext.c2py(plural)

    def gettext(self, message: str) -> str:
        found = self.entries.get((None, message))
        return found if isinstance(found, str) and found else message

    def pgettext(self, context: str, message: str) -> str:
        found = self.entries.get((context, message))
        return found if isinstance(found, str) and found else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        found = self.entries.get((None, singular))
        if isinstance(found, list):
            index = self._plural(n)
            if index < len(found) and found[index]:
                return found[index]
        return singular if n == 1 else plural


@functools.cache
def catalogue(lang: str) -> Catalogue:
    """The catalogue of `lang`; English, and a language without a catalogue, give the texts of the code."""
    path = catalogue_path(lang)
    if lang == SOURCE_LANGUAGE or not path.is_file():
        return Catalogue(lang)
    return read_catalogue(path, lang)


def read_catalogue(path: Path, lang: str) -> Catalogue:
    entries, headers = read_po(path.read_text(encoding="utf-8"))
    match = re.search(r"plural\s*=\s*([^;\n]+)", headers.get("Plural-Forms", ""))
    return Catalogue(lang, entries, match.group(1).strip() if match else "n != 1")


_LINE = re.compile(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[([0-9]+)\])?)\s+(".*")\s*$')


def read_po(text: str) -> tuple[dict[tuple[str | None, str], str | list[str]], dict[str, str]]:
    """The translated entries of a `.po` text, keyed by (context, msgid), and its header fields.

    Fuzzy and obsolete entries are left out, as gettext leaves them out: a fuzzy translation
    is a guess waiting for a translator.
    """
    entries: dict[tuple[str | None, str], str | list[str]] = {}
    headers: dict[str, str] = {}
    entry: dict = {}
    part: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal entry, part
        _store_entry(entry, entries, headers)
        entry, part = {}, None

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if "msgstr" in entry or "forms" in entry:
                finish()
            if line.startswith("#,") and "fuzzy" in line:
                entry["fuzzy"] = True
            continue  # comments, and obsolete entries (#~)
        if line.startswith('"'):
            value = _unquote(line)
        else:
            match = _LINE.match(line)
            if not match:
                raise ValueError(f"not a line of a .po file: {raw!r}")
            keyword, index, quoted = match.groups()
            if keyword in ("msgctxt", "msgid") and ("msgstr" in entry or "forms" in entry) \
                    or keyword == "msgctxt" and "msgid" in entry:
                finish()
            if keyword == "msgid_plural":
                entry["plural"] = ""
                part = ("plural", None)
            elif index is not None:
                part = ("forms", int(index))
                entry.setdefault("forms", {})[int(index)] = ""
            else:
                part = (keyword, None)
                entry[keyword] = ""
            value = _unquote(quoted)
        if part is None:
            raise ValueError(f"a string outside an entry in a .po file: {raw!r}")
        name, index = part
        if name == "forms":
            entry["forms"][index] += value
        else:
            entry[name] = entry.get(name, "") + value
    finish()
    return entries, headers


def _store_entry(entry: dict, entries: dict, headers: dict[str, str]) -> None:
    """Keep one finished `.po` entry: the header's fields, or a translation that is not fuzzy nor empty."""
    if "msgid" in entry and (not entry.get("fuzzy") or entry["msgid"] == ""):  # a new file's header is fuzzy
        key = (entry.get("msgctxt"), entry["msgid"])
        if "plural" in entry:
            forms = entry.get("forms", {})
            value: str | list[str] = [forms.get(i, "") for i in range(max(forms, default=-1) + 1)]
        else:
            value = entry.get("msgstr", "")
        if key == (None, ""):
            for line in str(value).splitlines():
                name, __, field = line.partition(":")
                headers[name.strip()] = field.strip()
        elif value and value != [""] * len(value):
            entries[key] = value


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(quoted: str) -> str:
    """The text of a quoted .po string, its C escapes read (the ones Babel writes)."""
    body = quoted[1:-1]
    if "\\" not in body:
        return body
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), body)


# --- the message language --------------------------------------------------------------

_current = catalogue(SOURCE_LANGUAGE)


def use(lang: str) -> None:
    """Print every message from now on in `lang` (in this process and the workers it forks)."""
    global _current
    _current = catalogue(lang)


def current() -> str:
    return _current.lang


def _(message: str) -> str:
    """`message` in the message language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for `n` of a message in the message language."""
    return _current.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _current.pgettext(context, message)


def N_(message: str) -> str:
    """Marks a text for the catalogues that is translated later, where it is used."""
    return message


def language_from_environment(environ: Mapping[str, str] | None = None,
                              known: tuple[str, ...] | None = None) -> str | None:
    """The first language the environment names that reportgen speaks, as gettext reads it:
    LANGUAGE (a list such as `da:en`), then LC_ALL, LC_MESSAGES, LANG. The C and POSIX
    locales name no language; a variable naming a language without a catalogue is passed over."""
    environ = os.environ if environ is None else environ
    known = languages() if known is None else known
    for name in ENVIRONMENT:
        for value in (environ.get(name) or "").split(":"):
            code = re.split(r"[_.@]", value.strip(), maxsplit=1)[0].lower()
            if code and code not in ("c", "posix") and code in known:
                return code
    return None


def choose_language(option: str | None, project_languages: tuple[str, ...] | list[str] | None,
                    environ: Mapping[str, str] | None = None) -> str:
    """The message language: the option, else the environment, else the project's first
    language, else Danish. Languages without a catalogue are passed over."""
    known = languages()
    if option and option in known:
        return option
    found = language_from_environment(environ, known)
    if found:
        return found
    for lang in project_languages or ():
        if lang in known:
            return lang
    return FALLBACK_LANGUAGE if FALLBACK_LANGUAGE in known else SOURCE_LANGUAGE
