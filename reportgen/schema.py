"""Declarative field types: each converts a located YAML node or explains why not.

A field converts one node into a Python value and reports problems in the
words of the people who edit the files: what was expected, what was found.
The same declarations give the JSON Schema that editors use for completion,
so the checks and the editor help cannot drift apart.

It is one module of some 500 lines because every field type is the same small
pattern (convert, explain, describe as JSON Schema) over one shared `Context`:
read together they show that every field explains itself the same way.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .messages import _, N_
from .errors import Problem
from .dates import parse_date, parse_month
from .model import Text
from .yamlsource import Mapping, Node, Scalar, Sequence, Source, node_kind


class _Invalid:
    """Marks a value that failed to convert; its problem has been reported already."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


@dataclass
class TextSpot:
    """A piece of text to check for HTML and identifiers once the whole file is read."""

    node: Scalar
    text: str
    markdown: bool


@dataclass
class Context:
    """What a conversion needs: where it is, where problems go, which languages exist."""

    source: Source
    problems: list[Problem]
    languages: tuple[str, ...] = ("da", "en")
    nodes: dict[int, Node] = field(default_factory=dict)  # id(converted record) -> its node
    texts: list[TextSpot] = field(default_factory=list)
    keep: list[Any] = field(default_factory=list)  # keeps records alive so ids stay unique
    consequences: tuple[str, ...] | None = None  # reportgen.yaml's effects keys; None: not known (not checked)

    def error(self, node: Node, message: str) -> Any:
        self.problems.append(Problem(self.source.display, node.line, node.column, message))
        return INVALID

    def error_at(self, line: int, column: int, message: str) -> None:
        self.problems.append(Problem(self.source.display, line, column, message))

    def node_of(self, record: Any) -> Node:
        return self.nodes[id(record)]


def did_you_mean(word: str, choices: list[str]) -> str:
    """A ' — did you mean …?' suffix, or '' when nothing is close."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return _("; did you mean '{close}'?").format(close=close[0]) if close else ""


_LANGUAGE_ALIASES = {"dk": "da", "dansk": "da", "danish": "da", "uk": "en", "gb": "en", "engelsk": "en", "english": "en"}


def _language_hint(lang: str, languages) -> str:
    code = _LANGUAGE_ALIASES.get(lang.lower())
    return _("; did you mean '{code}'?").format(code=code) if code in languages else ""


def quoted(text: str, empty: str = "nothing") -> str:
    """A value as a message shows it: in quotes, cut short after 40 characters; `empty` if it is empty."""
    if not text:
        return empty
    return f"'{text}'" if len(text) <= 40 else f"'{text[:37]}...'"


def _shown(node: Node) -> str:
    if isinstance(node, Scalar):
        return quoted(node.value)
    return node_kind(node)


class Field:
    """Base of all field types."""

    description = ""

    def __init__(self, description: str = ""):
        if description:
            self.description = description

    expects = N_("a value")

    def convert(self, node: Node, ctx: Context, name: str) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def json_schema(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def _schema(self, schema: dict) -> dict:
        if self.description:
            schema["description"] = self.description
        return schema

    def scalar(self, node: Node, ctx: Context, name: str) -> Scalar | None:
        """Return the node if it is a non-empty scalar, else report what was expected."""
        if not isinstance(node, Scalar):
            ctx.error(node, _("'{name}' should be {expects}, but it is {node_kind}").format(
                name=name, expects=_(self.expects), node_kind=node_kind(node)))
            return None
        if node.is_null or (node.value.strip() == "" and node.style is not None and node.style in "|>\"'"):
            ctx.error(node, _("'{name}' is empty; expected {expects}").format(name=name, expects=_(self.expects)))
            return None
        return node

    def parsed(self, node: Node, ctx: Context, name: str, parse: Callable[[str], Any]) -> Any:
        """The value `parse` reads from the node's text: None from it means the text is not written as
        expected, ValueError that it is written so but is not in the calendar."""
        scalar = self.scalar(node, ctx, name)
        if scalar is None:
            return INVALID
        text = scalar.value.strip()
        try:
            value = parse(text)
        except ValueError:
            return ctx.error(node, _("'{name}' is {text}, which is not a date in the calendar").format(
                name=name, text=text))
        if value is None:
            return ctx.error(node, _("'{name}' is {value}; expected {expects}").format(
                name=name, value=_shown(node), expects=_(self.expects)))
        return value


class Str(Field):
    """One line of plain text (a name, a source)."""

    expects = N_("a line of text")

    def __init__(self, description: str = "", pattern: str | None = None, pattern_help: str = ""):
        super().__init__(description)
        self.pattern = re.compile(pattern) if pattern else None
        self.pattern_help = pattern_help

    def convert(self, node, ctx, name):
        scalar = self.scalar(node, ctx, name)
        if scalar is None:
            return INVALID
        value = scalar.value.strip()
        if self.pattern and not self.pattern.fullmatch(value):
            return ctx.error(node, _("'{name}' is {value}; expected {expects}").format(
                name=name, value=_shown(node), expects=_(self.pattern_help)))
        ctx.texts.append(TextSpot(scalar, value, markdown=False))
        return value

    def json_schema(self):
        schema = {"type": "string", "minLength": 1}
        if self.pattern:
            schema["pattern"] = "^" + self.pattern.pattern + "$"
        return self._schema(schema)


# The largest number any field takes: far above any real count or population, and small enough
# that sums, rates and projections stay exact and finite.
MAX_NUMBER = 1_000_000_000


class Int(Field):
    """A whole number, written in digits without a leading zero, at most `maximum`."""

    def __init__(self, description: str = "", minimum: int = 0, maximum: int = MAX_NUMBER):
        super().__init__(description)
        self.minimum = minimum
        self.maximum = maximum

    @property
    def expects(self) -> str:
        if self.minimum == 0:
            return _("a whole number (0 or more)")
        return _("a whole number of at least {minimum}").format(minimum=self.minimum)

    _digits = re.compile(r"[0-9]+")

    def convert(self, node, ctx, name):
        scalar = self.scalar(node, ctx, name)
        if scalar is None:
            return INVALID
        text = scalar.value.strip()
        if scalar.style is not None:
            return ctx.error(node, _("'{name}' is the text '{text}' in quotes; write the number without quotes").format(
                name=name, text=text))
        if not self._digits.fullmatch(text):
            if re.fullmatch(r"-\s*[0-9]+", text):
                return ctx.error(node, _("'{name}' is {text}; a count cannot be negative").format(name=name, text=text))
            if re.fullmatch(r"[0-9]{1,3}([., ][0-9]{3})+", text):
                return ctx.error(
                    node, _("'{name}' is {text}; write the number without thousands separators: {sub}").format(
                        name=name, text=text, sub=re.sub(r'[., ]', '', text))
                )
            if re.fullmatch(r"[0-9]+[.,][0-9]+", text):
                return ctx.error(node, _("'{name}' is {text}; expected a whole number, without decimals").format(
                    name=name, text=text))
            return ctx.error(node, _("'{name}' is {value}; expected {expects}").format(
                name=name, value=_shown(node), expects=_(self.expects)))
        if len(text) > len(str(self.maximum)):  # before int(): thousands of digits take long to read
            return ctx.error(node, _("'{name}' is a number of {count:,} digits; expected at most {maximum}").format(
                name=name, count=len(text), maximum=self.maximum))
        if len(text) > 1 and text.startswith("0"):
            return ctx.error(node, _("'{name}' is {text}; write the number without a leading zero ({number})").format(
                name=name, text=text, number=int(text)))
        value = int(text)
        if value < self.minimum:
            return ctx.error(node, _("'{name}' is {value}; expected {expects}").format(
                name=name, value=value, expects=_(self.expects)))
        if value > self.maximum:
            return ctx.error(node, _("'{name}' is {value}; expected at most {maximum}").format(
                name=name, value=value, maximum=self.maximum))
        return value

    def json_schema(self):
        schema = {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}
        return self._schema(schema)


class Share(Field):
    """A fraction from 0 to 1, written with a decimal point (0.30 for 30 %)."""

    expects = N_("a fraction from 0 to 1 written with a decimal point, e.g. 0.30 for 30 %")

    def convert(self, node, ctx, name):
        scalar = self.scalar(node, ctx, name)
        if scalar is None:
            return INVALID
        text = scalar.value.strip()
        if scalar.style is not None:
            return ctx.error(node, _("'{name}' is the text '{text}' in quotes; write the number without quotes").format(
                name=name, text=text))
        percent = re.fullmatch(r"([0-9]+(?:[.,][0-9]+)?)\s*%", text)
        if percent:
            share = float(percent.group(1).replace(",", ".")) / 100
            return ctx.error(node, _("'{name}' is {text}; write it as a fraction: {share}").format(
                name=name, text=text, share=f"{share:g}"))
        if re.fullmatch(r"[0-9]+,[0-9]+", text):
            return ctx.error(node, _("'{name}' is {text}; write the decimal point as '.': {fixed}").format(
                name=name, text=text, fixed=text.replace(",", ".")))
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
            return ctx.error(node, _("'{name}' is {value}; expected {expects}").format(
                name=name, value=_shown(node), expects=_(self.expects)))
        value = float(text)
        if value > 1:
            hint = "" if value > 100 else _(" (for {text} %, write {share})").format(
                text=text, share=f"{value / 100:g}")
            return ctx.error(node, _("'{name}' is {text}, more than 1; expected {expects}").format(
                name=name, text=text, expects=_(self.expects)) + hint)
        return value

    def json_schema(self):
        return self._schema({"type": "number", "minimum": 0, "maximum": 1})


# Dates of the reports' world: well before genome sequencing, well within what dates can hold
# once projections are added to them.
FIRST_YEAR, LAST_YEAR = 1900, 2199


class Date(Field):
    """A calendar date written YYYY-MM-DD."""

    expects = N_("a date written YYYY-MM-DD, e.g. 2024-05-31")

    def convert(self, node, ctx, name):
        value = self.parsed(node, ctx, name, parse_date)
        if value is not INVALID and not FIRST_YEAR <= value.year <= LAST_YEAR:
            return ctx.error(node, _("'{name}' is {value}; expected a date from {FIRST_YEAR} to {LAST_YEAR}").format(
                name=name, value=value, FIRST_YEAR=FIRST_YEAR, LAST_YEAR=LAST_YEAR))
        return value

    def json_schema(self):
        return self._schema({"type": "string", "format": "date"})


class MonthField(Field):
    """A calendar month written YYYY-MM."""

    expects = N_("a month written YYYY-MM, e.g. 2024-05")

    def convert(self, node, ctx, name):
        return self.parsed(node, ctx, name, parse_month)

    def json_schema(self):
        return self._schema({"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"})


class Bool(Field):
    """true or false, written exactly so (yes/no/on/off are not guessed at)."""

    expects = N_("true or false")

    def convert(self, node, ctx, name):
        scalar = self.scalar(node, ctx, name)
        if scalar is None:
            return INVALID
        if scalar.style is None and scalar.value in ("true", "false"):
            return scalar.value == "true"
        return ctx.error(node, _("'{name}' is {shown}; write true or false").format(name=name, shown=_shown(node)))

    def json_schema(self):
        return self._schema({"type": "boolean"})


class Choice(Field):
    """One word from a fixed list."""

    def __init__(self, choices, description: str = ""):
        super().__init__(description)
        self.choices = list(choices)

    @property
    def expects(self) -> str:
        return _("one of: {choices}").format(choices=", ".join(self.choices))

    def convert(self, node, ctx, name):
        scalar = self.scalar(node, ctx, name)
        if scalar is None:
            return INVALID
        value = scalar.value.strip()
        if value in self.choices:
            return value
        return ctx.error(
            node, _("'{name}' is {value}; expected {expects}").format(
                name=name, value=_shown(node), expects=_(self.expects))
            + did_you_mean(value, self.choices)
        )

    def json_schema(self):
        return self._schema({"type": "string", "enum": self.choices})


class LocalText(Field):
    """Text in the default language, or a mapping with one text per language.

    `markdown` texts may use Markdown; every text is checked for raw HTML and
    for identifiers once the file is read (see checks.py).
    """

    def __init__(self, description: str = "", markdown: bool = True, all_languages: bool = False):
        super().__init__(description)
        self.markdown = markdown
        self.all_languages = all_languages

    expects = N_("text")

    def convert(self, node, ctx, name):
        if isinstance(node, Mapping):
            by_lang: dict[str, str] = {}
            for lang, (key, value) in node.items.items():
                if lang not in ctx.languages:
                    ctx.error(
                        key,
                        _("'{lang}' is not one of the report languages ({items})").format(
                            lang=lang, items=', '.join(ctx.languages))
                        + (did_you_mean(lang, list(ctx.languages)) or _language_hint(lang, ctx.languages)),
                    )
                    continue
                scalar = self.scalar(value, ctx, f"{name}.{lang}")
                if scalar is not None:
                    by_lang[lang] = self._take(scalar, ctx)
            required = ctx.languages if self.all_languages else ctx.languages[:1]
            missing = [lang for lang in required if lang not in node.items]
            if missing:
                return ctx.error(node, _("'{name}' has no text in {items}; add '{missing}: ...'").format(
                    name=name, items=', '.join(missing), missing=missing[0]))
            if len(by_lang) < len(node.items):
                return INVALID
            return Text(by_lang)
        scalar = self.scalar(node, ctx, name)
        if scalar is None:
            return INVALID
        if self.all_languages and len(ctx.languages) > 1:
            return ctx.error(
                node,
                _("'{name}' needs a text in each language ({items}); write it as {languages}: ... and "
                  "{languages2}: ... on their own lines").format(
                      name=name, items=', '.join(ctx.languages), languages=ctx.languages[0], languages2=ctx.languages[1]),
            )
        return Text({ctx.languages[0]: self._take(scalar, ctx)})

    def _take(self, scalar: Scalar, ctx: Context) -> str:
        text = scalar.value.strip("\n") if scalar.style in ("|", ">") else scalar.value.strip()
        ctx.texts.append(TextSpot(scalar, text, markdown=self.markdown))
        return text

    def json_schema(self):
        # English here; the editor schemas are translated as a whole (editor_schemas.py).
        if self.markdown:
            one, each = N_("Markdown text in the default language"), N_("Markdown text per language (da, en)")
        else:
            one, each = N_("text in the default language"), N_("text per language (da, en)")
        per_lang = {"type": "object", "patternProperties": {"^[a-z]{2}$": {"type": "string"}},
                    "additionalProperties": False, "description": each}
        return self._schema({"anyOf": [{"type": "string", "description": one}, per_lang]})


class ListOf(Field):
    """A list of items of one type."""

    def __init__(self, item: Field, description: str = "", min_items: int = 0, unique: bool = False):
        super().__init__(description)
        self.item = item
        self.min_items = min_items
        self.unique = unique

    @property
    def expects(self) -> str:
        return _("a list (lines starting with '- ')")

    def convert(self, node, ctx, name):
        if isinstance(node, Scalar) and node.is_null and self.min_items == 0:
            return ()
        if not isinstance(node, Sequence):
            return ctx.error(node, _("'{name}' should be {expects}, but it is {shown}").format(
                name=name, expects=_(self.expects), shown=_shown(node)))
        if len(node.items) < self.min_items:
            return ctx.error(node, _("'{name}' needs at least {min_items} item(s), it has {count}").format(
                name=name, min_items=self.min_items, count=len(node.items)))
        values = []
        seen: dict[Any, int] = {}
        ok = True
        for index, child in enumerate(node.items):
            value = self.item.convert(child, ctx, f"{name}[{index + 1}]")
            if value is INVALID:
                ok = False
                continue
            if self.unique:
                if value in seen:
                    ctx.error(child, _("'{name}' lists {value} twice").format(name=name, value=value))
                    ok = False
                    continue
                seen[value] = index
            values.append(value)
        return tuple(values) if ok else INVALID

    def json_schema(self):
        schema = {"type": "array", "items": self.item.json_schema()}
        if self.min_items:
            schema["minItems"] = self.min_items
        if self.unique:
            schema["uniqueItems"] = True
        return self._schema(schema)


@dataclass
class Key:
    """One key of a Record: its type, whether it must be there, its default."""

    type: Field
    required: bool = True
    default: Any = None


class Record(Field):
    """A mapping with known keys, built into a model object by `build`."""

    def __init__(self, keys: dict[str, Key], build: Callable[..., Any], description: str = ""):
        super().__init__(description)
        self.keys = keys
        self.build = build

    expects = N_("a set of fields (`key: value` lines)")

    def convert(self, node, ctx, name):
        if not isinstance(node, Mapping):
            return ctx.error(node, _("'{name}' should be {expects}, but it is {shown}").format(
                name=name, expects=_(self.expects), shown=_shown(node)))
        values: dict[str, Any] = {}
        ok = True
        known = list(self.keys)
        suggested = set()
        for key_text, (key_node, __) in node.items.items():
            if key_text not in self.keys:
                ok = False
                where = _(" in '{name}'").format(name=name) if name else ""
                suggestion = did_you_mean(key_text, [k for k in known if k not in node.items])
                if suggestion:
                    suggested.add(suggestion.split("'")[1])
                ctx.error(key_node, _("unknown field '{key_text}'{where}").format(key_text=key_text, where=where)
                          + (suggestion or _("; expected one of: {items}").format(items=', '.join(known))))
        for key_text, spec in self.keys.items():
            child_name = f"{name}.{key_text}" if name else key_text
            if key_text not in node.items:
                if spec.required:
                    ok = False
                    if key_text not in suggested:  # the misspelt key's message already says it
                        what = _("; expected: {description}").format(description=_(spec.type.description)) \
                            if spec.type.description else ""
                        ctx.error(node, _("'{child_name}' is missing{what}").format(child_name=child_name, what=what))
                else:
                    values[key_text] = spec.default
                continue
            value_node = node.items[key_text][1]
            if not spec.required and isinstance(value_node, Scalar) and value_node.is_null and not isinstance(spec.type, ListOf):
                values[key_text] = spec.default
                continue
            value = spec.type.convert(value_node, ctx, child_name)
            if value is INVALID:
                ok = False
            values[key_text] = value
        if not ok:
            return INVALID
        record = self.build(**values)
        ctx.nodes[id(record)] = node
        ctx.keep.append(record)
        return record

    def json_schema(self):
        return self._schema({
            "type": "object",
            "properties": {k: spec.type.json_schema() for k, spec in self.keys.items()},
            "required": [k for k, spec in self.keys.items() if spec.required],
            "additionalProperties": False,
        })


class MapOf(Field):
    """A mapping from free keys (matching `key_pattern`) to values of one type."""

    def __init__(self, value: Field, key_pattern: str, key_help: str, description: str = "", min_items: int = 1):
        super().__init__(description)
        self.value = value
        self.key_pattern = re.compile(key_pattern)
        self.key_help = key_help
        self.min_items = min_items

    expects = N_("a set of `key: value` fields")

    def convert(self, node, ctx, name):
        if not isinstance(node, Mapping):
            return ctx.error(node, _("'{name}' should be {expects}, but it is {shown}").format(
                name=name, expects=_(self.expects), shown=_shown(node)))
        if len(node.items) < self.min_items:
            return ctx.error(node, _("'{name}' needs at least {min_items} entry").format(
                name=name, min_items=self.min_items))
        result = {}
        ok = True
        for key_text, (key_node, value_node) in node.items.items():
            if not self.key_pattern.fullmatch(key_text):
                ctx.error(key_node, _("'{key_text}' in '{name}' should be {key_help}").format(
                    key_text=key_text, name=name, key_help=_(self.key_help)))
                ok = False
                continue
            value = self.value.convert(value_node, ctx, f"{name}.{key_text}")
            if value is INVALID:
                ok = False
            result[key_text] = value
        return result if ok else INVALID

    def json_schema(self):
        return self._schema({
            "type": "object",
            "patternProperties": {"^" + self.key_pattern.pattern + "$": self.value.json_schema()},
            "additionalProperties": False,
        })
