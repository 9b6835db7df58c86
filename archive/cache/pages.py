"""The build cache's page part: each page's key (PageKeys) and each list's item digests (ItemDigests)."""
from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import jinja2
from jinja2 import meta

from .stamp import digest

if TYPE_CHECKING:
    from .content import ContentMemo


class PageKeys:
    """`of(page)`: the key of everything a page is rendered from, or None when it cannot be known (then the
    page is rendered on every build). A page's own part of the key is its signature where its context
    function has one (pages/signature.py: computed without the context), else its computed context as JSON
    (None when the context is not plain data: sets, objects)."""

    def __init__(self, env, assets: dict, config: dict):
        common = json.dumps([sorted((a.name, a.path) for a in assets.values()), config],
                            ensure_ascii=False, sort_keys=True, default=str)
        sources, refs = {}, {}
        for name in env.list_templates():
            if name.endswith((".yaml", ".yml")):
                continue                       # data read by the build, not a template (site.yaml: in `config`)
            sources[name] = env.loader.get_source(env, name)[0]
            try:
                refs[name] = set(meta.find_referenced_templates(env.parse(sources[name])))
            except jinja2.TemplateSyntaxError:
                refs[name] = {None}
        # a digest per template of everything it is rendered with: hashed once here, not once per page
        self.templates = {}
        for name in sources:
            seen = _closure(name, refs)
            text = "".join(f"{n}\0{sources[n]}\0" for n in sorted(sources if None in seen else seen))
            self.templates[name] = digest((common + "\0" + text).encode())

    def of(self, page) -> tuple[str | None, dict | None]:
        """(the page's key, its context if computing the key needed it: then it is not computed twice). The
        page's URL is in the key: templates receive it (`page_url`)."""
        signature = page.signature()
        if signature is not None:
            return self._key(page, "signature", signature), None
        context = page.context()
        try:
            text = json.dumps(context, ensure_ascii=False, separators=(",", ":"), default=_plain)
        except (TypeError, ValueError):
            return None, context
        return self._key(page, "context", text), context

    def _key(self, page, kind: str, text: str) -> str:
        return digest(f"{self.templates[page.template]}\0{page.url}\0{kind}\0{text}".encode())


class ItemDigests:
    """Each list's item digests (pages/signature.py: what the page signatures are made of), keyed as the
    list's validated model is (`ContentMemo.list_key`): a digest is made of nothing but that model and the
    registries. An unchanged list's digests are not computed again. The same memo keeps what else is made
    of a list's model alone: its items' topics (pages/site.py) and its feed entry (feeds.py), each value
    naming the other inputs it was made with (the topics registry, the base URL)."""

    def __init__(self, known: dict, documents: "ContentMemo"):
        self.known, self.documents = known, documents
        self.used: dict[str, tuple] = {}        # list id → (list key, digests), this build's

    def get(self, list_id: str) -> list[str] | None:
        key = self.documents.list_key(list_id)
        found = self.known.get(list_id)
        if key is None or found is None or found[0] != key:
            return None
        self.used[list_id] = found
        return found[1]

    def put(self, list_id: str, digests: list[str]) -> None:
        key = self.documents.list_key(list_id)
        if key is not None:
            self.used[list_id] = (key, digests)


def _closure(name: str, refs: dict) -> set:
    """A template and every template it extends, includes or imports, transitively; None stands for a
    name computed at render time (then every template counts)."""
    seen, todo = set(), [name]
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        if n is not None:
            todo += [r if r in refs else None for r in refs.get(n, {None})]
    return seen


def _plain(value):
    if type(value) in (dt.date, dt.datetime):
        return {"$" + type(value).__name__: value.isoformat()}
    raise TypeError(type(value).__name__)
