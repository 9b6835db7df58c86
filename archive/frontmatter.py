"""A fast path for the usual front matter: exactly what `yaml.load(text, CSafeLoader)` gives, or None.

Even with libyaml's parser, PyYAML builds every value in Python (`get_single_data`): that was about half of
a reader's CPU at 100,000 items. Almost every file is one mapping of lines like

    number: 7
    title: 加强无物业住宅小区管理
    lead: ['****规划局']            # flow lists of scalars
    partners:                       # block lists of scalars
      - 市财政局
    published: 2021-03-05

and such a text is read here line by line. Only its scalars' *types* are PyYAML's business, and they are
decided by PyYAML's own resolver table and constructors (so `yes`, `2021-03-05`, `0x1F`, `~` come out as
they would). Anything else (anchors and aliases, tags, block or multi-line scalars, escapes, nested
mappings, a character YAML reads otherwise than Python, a line this module does not model) returns None,
and the caller hands the text to PyYAML unchanged: its errors and their lines stay PyYAML's.
tests/test_frontmatter.py holds this to PyYAML.
"""
from __future__ import annotations

import re

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Characters outside this set are read by YAML otherwise than by str.split("\n") and str.strip(" ")
# (NEL, LS and PS break lines; tabs, controls, DEL and C1 are refused or blanks; a BOM inside a stream):
# a text holding one goes to PyYAML.
_ODD = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]{0,63}):( .*)?$")
_ITEM_LINE = re.compile(r"( *)- (.*)$")
_SINGLE = re.compile(r"'([^']*)'(?: +#.*| *)$")
_DOUBLE = re.compile(r'"([^"\\]*)"(?: +#.*| *)$')
# one element of a flow list and what follows it: a quoted scalar without quotes or escapes inside, or a
# plain one without any character that could mean something in a flow collection
_ELEMENT = re.compile(r""" *(?:'([^']*)'|"([^"\\]*)"|([^-?:,\[\]{}#&*!|>'"%@` ][^?:,\[\]{}#'"]*?)) *([,\]])""")
_AFTER = re.compile(r"(?: +#.*| *)$")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_PLAIN_FIRST = frozenset(chr(c) for c in range(0x21, 0x7f)) - _INDICATORS    # (and any non-ASCII one)
# a flow list of plain names with no character that could mean anything in it (`-` only inside a name)
_SIMPLE_FLOW = re.compile(r"\[[^?:\[\]{}#&*!|>'\"%@`-]*\]$")

_STR = "tag:yaml.org,2002:str"
_RESOLVERS = Loader.yaml_implicit_resolvers      # first character → [(tag, pattern)], as Resolver.resolve reads it
_TYPED = {tag: Loader.yaml_constructors[tag] for tag in
          ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
           "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp")}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_USABLE = None not in _RESOLVERS and not Loader.yaml_path_resolvers    # (no resolver that sees every scalar)


class _Unmodelled(Exception):
    """The text has something this module does not read: PyYAML reads it."""


_CACHE: dict[str, object] = {}     # plain scalar → its value (all immutable): keys, numbers, dates repeat
_EMPTY = object()                  # a key with no value on its line: null, unless a block list follows


def load(text: str, first_line: int = 1) -> tuple[dict, dict[str, int]] | None:
    """(the mapping `yaml.load(text, Loader)` returns, each key's line counting the text's first as
    `first_line`), or None when the text is not one this module models."""
    if not _USABLE or _ODD.search(text):
        return None
    try:
        return _mapping(text.split("\n"), first_line)
    except _Unmodelled:
        return None


def _mapping(lines: list[str], first_line: int) -> tuple[dict, dict[str, int]] | None:
    data: dict = {}
    numbers: dict[str, int] = {}
    open_key, indent = None, None      # a key with nothing after it, which a block list may follow
    for number, line in enumerate(lines, first_line):
        match = _KEY_LINE.match(line)
        if match is not None:
            key, rest = match.groups()
            if key in numbers or _plain(key) != key:      # (`yes:` is True, `null:` None)
                raise _Unmodelled
            numbers[key] = number
            value = _value(rest) if rest is not None else _EMPTY
            open_key, indent = (key, None) if value is _EMPTY else (None, None)
            data[key] = None if value is _EMPTY else value
        elif not line.strip(" ") or line[0] == "#":
            continue
        else:
            match = _ITEM_LINE.match(line)
            if match is None or open_key is None or indent not in (None, len(match.group(1))):
                raise _Unmodelled
            if indent is None:
                indent, data[open_key] = len(match.group(1)), []
            data[open_key].append(_scalar(match.group(2)))
    return (data, numbers) if data else None


def _value(rest: str):
    """What follows `key:` on its line (from the space after the colon)."""
    text = rest[1:]
    first = text[:1]
    if first == "[":
        return _flow_list(text)
    if (first in _PLAIN_FIRST or first > "\x7f") and " #" not in text and ": " not in text and text[-1] not in " :":
        return text if first not in _RESOLVERS else _plain(text)     # the usual line: nothing to cut
    text = text.lstrip(" ")
    if not text or text[0] == "#":
        return _EMPTY
    if text[0] == "[":
        return _flow_list(text)
    return _scalar(text)


def _scalar(text: str):
    """A scalar alone on the rest of its line (after `key: ` or `- `), and perhaps a comment."""
    first = text[:1]
    if first == "'" or first == '"':
        match = (_SINGLE if first == "'" else _DOUBLE).match(text)
        if match is None:
            raise _Unmodelled
        return match.group(1)                   # quoted: always a string
    if not first or first in _INDICATORS or first == " ":
        raise _Unmodelled
    cut = text.find(" #")
    value = (text if cut < 0 else text[:cut]).rstrip(" ")
    if ": " in value or value.endswith(":"):
        raise _Unmodelled
    return _plain(value)


def _flow_list(text: str) -> list:
    """`[a, 'b', "c"]` on one line, of scalars."""
    if text[-1] == "]" and _SIMPLE_FLOW.match(text):       # plain names without any indicator: split
        items = [item.strip(" ") for item in text[1:-1].split(",")]
        if all(items):
            return [item if item[0] not in _RESOLVERS else _plain(item) for item in items]
        if items == [""]:
            return []
    items, at = [], 1
    if text[1:].lstrip(" ").startswith("]"):
        at = text.index("]") + 1
    else:
        while True:
            match = _ELEMENT.match(text, at)
            if match is None:
                raise _Unmodelled
            single, double, plain = match.group(1, 2, 3)
            items.append(single if single is not None else double if double is not None else _plain(plain))
            at = match.end()
            if match.group(4) == "]":
                break
    if not _AFTER.match(text, at):
        raise _Unmodelled
    return items


def _plain(value: str):
    """A plain scalar's value: its tag by PyYAML's resolver table, its value by PyYAML's constructor."""
    if value[:1] not in _RESOLVERS:
        return value
    found = _CACHE.get(value, _CACHE)
    if found is not _CACHE:
        return found
    tag = next((tag for tag, pattern in _RESOLVERS[value[:1]] if pattern.match(value)), _STR)
    if tag == _STR:
        found = value
    elif tag in _TYPED:
        try:
            found = _TYPED[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, value))
        except Exception:       # (`2021-02-30`): PyYAML raises what it raises
            raise _Unmodelled from None
    else:                       # `<<`, `=`, `!`: not values
        raise _Unmodelled
    if len(_CACHE) > 4096:
        _CACHE.clear()
    _CACHE[value] = found
    return found
