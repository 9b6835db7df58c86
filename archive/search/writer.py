"""Write the exact-search index: character bigrams with positions, sharded by hash.

Layout under <site>/search/i/ (all site-relative, nothing leaves the origin):

    manifest.json        what every search needs: shard counts, the t2s mask, the keys with files of their
                         own, the lists' URL prefixes and the runs of item numbers that give every result's URL
    s/<k>.bin            keys shard k = fnv1a(key) mod S (binary, varints): every key's counts, and the item
                         lists and positions of the keys small enough to travel together
    k/<cp1>-<cp2>.bin    item list of a larger key (all a one- or two-character term needs)
    p/<cp1>-<cp2>.bin    a larger bigram's item list again, then its positions (all a longer term needs of
                         it, in one request): varint ilen, the item list (ilen bytes), the positions
    tables.json          what the page needs to show results and filters: lists (title, jurisdiction,
                         year), jurisdictions, each filter's values (search_index.FACETS)
    d/<k>.json           per-item columns (list, each filter's values) of items k·C … k·C+C−1: loaded by the
                         page for the results it shows and the filters it counts, never by a search
    f/<id // 256>/<id>.json   display fragment of item <id>: title and visible text blocks
    n/<k>.json           names shard: normalised department / jurisdiction name → entities

An item's id is its rank among equals: newest list first, then published order. A search
decodes only the item lists of the bigrams it needs, intersects them, and confirms every
candidate by positions (fetched only when there are candidates and the term is longer than two
characters), so a result is exactly an item whose visible text contains every term (no
segmentation, no prefix matching, no stemming).

Shard format (all integers unsigned LEB128 varints):
    count
    count × (cp1, cp2, ndocs, ilen, plen)   cp2 = 0 for a single-character key
    then, for each key with ilen + plen ≤ X (manifest), in the same order: its item list (ilen bytes),
    then its positions (plen bytes); a larger key's are the files k/… and p/… instead
Keys with files of their own (manifest "sk"): base64 of varints: the alphabet (its size A, then A code
points ascending, each as its delta from the previous, from 0), then per first character in ascending
order: (its alphabet index's delta from the previous first's, how many keys, then each second character's
alphabet index as its delta from the previous, from 0). A search fetches such a key's files without its
shard: one round trip and one request less. Its item count is the number of bytes below 0x80 in k/…
(one varint an item).
Item list:  bigram: ndocs × (doc delta << 2 | zones), zones 1 = in the title zone, 2 = in the lead zone
            unigram: ndocs × doc delta
Positions:  per item, in the item list's order: zigzag(first pos − 2·Z) << 1 | more, then
            (pos delta << 1 | more)…, where more = 1 says another position of the item follows
Positions count code points in the item's normalised text: the title from 0 and the lead
department names from Z (each only if the page shows it, so they add no match; they exist to
rank, and a position below Z or below 2·Z says a term is in one), then the visible blocks from
2·Z, blocks joined by a separator.
"""
from __future__ import annotations

import gzip
import json
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .cache import doc_keys
from .keyfiles import FNV_OFFSET, FNV_PRIME, put_file, split_key_list, write_shards, write_split_keys
from .postings import ranked, ranked_postings
from .handover import fragment, fragment_path, normed_text
from .text import SEP, norm

SHARD_TARGET_BYTES = 3000      # aim for shards of about this size
SPLIT_BYTES = 1024             # a key whose item list and positions pass this has files of its own: a search
                               # then fetches its item list alone, and its positions only to confirm
NAMES_PER_SHARD = 400
COLUMN_CHUNK = 4096            # items per d/<k>.json: the page loads the chunks its shown results fall in
ZONE = 1024                    # positions: title zone from 0, lead names from ZONE, visible text from 2·ZONE


def fnv1a(values) -> int:
    h = FNV_OFFSET
    for v in values:
        for _ in range(3):                  # three low bytes of the code point
            h ^= v & 0xFF
            h = (h * FNV_PRIME) & 0xFFFFFFFF
            v >>= 8
    return h


def key_hash(cp1: int, cp2: int) -> int:
    return fnv1a((cp1, cp2))


def name_hash(s: str) -> int:
    return fnv1a(ord(c) for c in s)


@dataclass
class Doc:
    """One searchable item, in rank order (its index is its id)."""
    list_index: int
    url_suffix: str                  # appended to the list's URL prefix
    blocks: list[str] | None         # visible text blocks as shown (not normalised); None: not at hand (then
                                     # `shown` gives them if the fragment must be written here)
    title: str = ""
    lead_names: list[str] = field(default_factory=list)  # names of lead departments as shown
    facets: dict[str, list[int]] = field(default_factory=dict)   # facet key → indexes into its values
    page: str | None = None          # the digest of the page the blocks were read from, where the build knows it
    normed: str | Callable[["Doc"], str] | None = None   # handover.normed_text(blocks), where the render workers
                                     # gave it; or what reads it from the build cache when it is needed
    fragment: str | None = None      # the digest of f/<id>.json, where a render worker wrote it at this id
    source: str | None = None        # the page's site path (for `shown`)


@dataclass
class Tables:
    lists: list[dict]                # {"u": url prefix, "t": title, "j": jurisdiction index, "y": year}
    jurisdictions: list[dict]        # {"n": display name, "u": url}
    facets: list[dict]               # {"k": key in the URL, "n": label, "v": [[value, label], …]}
    names: dict[str, list[dict]]     # normalised name → entities offered above results


def folder_writer(out: Path):
    """`put(path, data)` into a folder replaced first: for an index written outside a build's Writer."""
    if out.exists():
        shutil.rmtree(out)

    def put(path: str, data: bytes) -> None:
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return put


def write_index(put, docs: list[Doc], tables: Tables, build_id: str = "", memo=None, keep=None, shown=None,
                moved=None, jobs: int = 1) -> dict:
    """Write the index for `docs` through `put(index-relative path, bytes)` (which may return the digest of
    what it wrote, as `writer.digest`). Returns stats. `memo`: the build cache's postings of the last build
    (search/cache.py), patched where only a few items changed. `keep(path, digest) -> bool`: the folder
    already holds a file with that digest at `path` and keeps it as written (then it is not encoded again).
    `shown(sources)`: the blocks as shown of the docs' pages at those site paths, for docs without them;
    `moved(path, digest)`: the bytes of the last index's file at `path` if it has that digest (else None).
    `jobs`: processes that may compute the postings (postings.ranked_postings)."""
    keys = doc_keys(docs) if memo is not None else None
    found = memo.patched(docs, keys, doc_text, ZONE) if memo is not None else None
    if found is None:
        # the normalised strings are dropped once ranked: the postings' arrays are the stage's peak
        text, chars = memo.ranked(docs, keys, doc_text, ZONE) if memo is not None else _ranked(docs)
        post = ranked_postings(text, jobs)
        del text
        if memo is not None:
            memo.computed(post)
    else:
        post, chars = found
    del found
    keyed = _key_files(put, post, memo, keep)
    del post
    _write_fragments(put, docs, memo, keys, keep, shown, moved)
    return _write_tables(put, docs, tables, build_id, chars, keyed)


def _ranked(docs: list[Doc]):
    rows = [doc_text(doc) for doc in docs]
    texts, tz, lz = [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
    chars = sum(len(t) for t in texts)
    del rows
    return ranked(texts, zones=(tz, lz, ZONE)), chars


def _key_files(put, post, memo, keep) -> dict:
    """The shards and the larger keys' files, written from the postings; what the manifest and the stats need
    of them."""
    total = int(post.lengths.sum() + post.pos_lengths.sum())
    n_keys = len(post.keys)
    inline = post.lengths + post.pos_lengths <= SPLIT_BYTES
    in_shards = int((post.lengths + post.pos_lengths)[inline].sum()) + 10 * n_keys    # headers: ~10 bytes a key
    n_shards = 1
    # Stop at about four keys a shard: more shards would only be empty files.
    while n_shards * SHARD_TARGET_BYTES < in_shards and n_shards * 8 <= n_keys:
        n_shards *= 2
    # With the memo, the shards and larger keys' files that no changed item's key is in are kept as written.
    known = memo.outputs() if memo is not None and keep is not None else None
    shard_digests, sizes = write_shards(put, post, n_shards, inline, known, keep)
    split_digests = write_split_keys(put, post, ~inline, known, keep)
    if memo is not None and keep is not None:
        memo.remember_outputs({"shards": shard_digests, "sizes": sizes, **split_digests})
    return {"total": total, "keys": n_keys, "shards": n_shards, "sizes": sizes.tolist(),
            "split": len(split_digests["split"]), "own_keys": split_key_list(post.keys[~inline])}


def _write_tables(put, docs: list[Doc], tables: Tables, build_id: str, chars: int, keyed: dict) -> dict:
    """The names, the columns, the tables and the manifest (`keyed`: what _key_files found); the stats."""
    # names offered above results (departments, jurisdictions)
    n_names = max(1, -(-len(tables.names) // NAMES_PER_SHARD))
    name_shards: dict[int, dict] = defaultdict(dict)
    for name, ents in tables.names.items():
        name_shards[name_hash(name) % n_names][name] = ents
    for k in range(n_names):
        put(f"n/{k}.json", json.dumps(name_shards.get(k, {}), ensure_ascii=False, separators=(",", ":")).encode())

    # What a search needs for every result: its URL, from runs of consecutive numbers in one list.
    # What the page needs only for the results it shows and for filters: the columns and the tables.
    numeric = all(_numeric(d.url_suffix) for d in docs)
    columns = {
        "l": [d.list_index for d in docs],
        **({} if numeric else {"s": [d.url_suffix for d in docs]}),
        **{"f" + f["k"]: [_one_or_many(d.facets.get(f["k"], [])) for d in docs] for f in tables.facets},
    }
    for k, start in enumerate(range(0, len(docs), COLUMN_CHUNK)):
        chunk = {name: col[start:start + COLUMN_CHUNK] for name, col in columns.items()}
        put(f"d/{k}.json", json.dumps(chunk, separators=(",", ":")).encode())
    put("tables.json", json.dumps({"lists": tables.lists, "juris": tables.jurisdictions,
                                   "fv": {f["k"]: f["v"] for f in tables.facets}},
                                  ensure_ascii=False, separators=(",", ":")).encode())
    n_shards, sizes = keyed["shards"], keyed["sizes"]
    manifest = {
        "v": 4, "b": build_id, "tmask": t2s_mask(), "S": n_shards, "X": SPLIT_BYTES, "sk": keyed["own_keys"],
        "N": n_names, "n": len(docs),
        "C": COLUMN_CHUNK, "Z": ZONE, "lu": [row["u"] for row in tables.lists],
        "facets": [[f["k"], f["n"]] for f in tables.facets],
        "runs": url_runs(docs) if numeric else None,
    }
    mbytes = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    put("manifest.json", mbytes)
    sizes.sort()
    return {
        "items": len(docs), "chars": chars, "postings_bytes": keyed["total"], "keys": keyed["keys"], "shards": n_shards,
        "keys_with_own_files": keyed["split"],
        "shard_bytes_median": sizes[len(sizes) // 2] if sizes else 0,
        "shard_bytes_max": sizes[-1] if sizes else 0,
        "manifest_bytes": len(mbytes), "manifest_gzip_bytes": len(gzip.compress(mbytes, 6)),
        "name_shards": n_names,
    }


def _write_fragments(put, docs: list[Doc], memo, keys, keep, shown, moved=None) -> None:
    """f/…: each item's title and blocks. A fragment a render worker wrote at this id is the build's already;
    an item with the key (search/cache.py) the item at its id had last time has the fragment written then:
    kept where the folder holds it, not encoded again. The others are written here, from their blocks as
    shown; for docs whose text came normalised (from the cache), from the last index's fragment of the
    same key at another id (`moved`: an item added before them renumbers them), else from their pages
    read back (`shown`)."""
    known = memo.fragments(keys) if memo is not None and keep is not None else None
    same, old, old_keys = known if known is not None else (None, None, None)
    digests = bytearray(16 * len(docs))
    todo = []
    for d, doc in enumerate(docs):
        if doc.fragment is not None:
            digests[16 * d:16 * d + 16] = bytes.fromhex(doc.fragment)
        elif same is not None and same[d] and keep(fragment_path(d), old[16 * d:16 * d + 16].hex()):
            digests[16 * d:16 * d + 16] = old[16 * d:16 * d + 16]
        else:
            todo.append(d)
    missing = [d for d in todo if docs[d].blocks is None]
    ready = _moved_fragments(missing, keys, old_keys, old, moved) if missing and old_keys is not None else {}
    missing = [d for d in missing if d not in ready]
    found = dict(zip(missing, shown([docs[d].source for d in missing]))) if missing else {}
    for d in todo:
        doc = docs[d]
        data = ready.pop(d, None)
        if data is None:
            data = fragment(doc.title, doc.blocks if doc.blocks is not None else found[d])
        digests[16 * d:16 * d + 16] = bytes.fromhex(put_file(put, fragment_path(d), data, keep))
    if memo is not None and keep is not None:
        memo.remember_fragments(keys, bytes(digests))


def _moved_fragments(ds: list[int], keys, old_keys, old: bytes, moved) -> dict[int, bytes]:
    """The last index's fragments of the items `ds` by the id their key had (same key, same bytes), where
    `moved` still finds them with the digest they were written with."""
    was = {k.tobytes(): d for d, k in enumerate(old_keys)}
    found = {}
    for d in ds:
        before = was.get(keys[d].tobytes())
        if before is not None and moved is not None:
            data = moved(fragment_path(before), old[16 * before:16 * before + 16].hex())
            if data is not None:
                found[d] = data
    return found


def doc_text(doc: Doc) -> tuple[str, int, int]:
    """An item's normalised text (title zone, lead zone, visible blocks) and its zones' lengths."""
    text = normed_text(doc.blocks) if doc.normed is None else doc.normed if isinstance(doc.normed, str) else \
        doc.normed(doc)
    # zones used only to rank: the title, then the lead names, each only if the page shows it (a normalised
    # name holds no whitespace, so no SEP: it is in the text iff it is in one of its blocks)
    nt = norm(doc.title)
    if not (nt and nt in text):
        nt = ""
    lead_zone = SEP.join(n for n in dict.fromkeys(norm(x) for x in doc.lead_names) if n and n in text)
    # a zone longer than its room is cut: it only ranks, and a cut zone still matches nothing new
    nt, lead_zone = nt[:ZONE - 1], lead_zone[:ZONE - 1]
    return nt + SEP + lead_zone + SEP + text, len(nt), len(lead_zone)


def _one_or_many(values: list[int]):
    """An item's facet values in a column: -1 for none, the index for one, a list for more."""
    return values[0] if len(values) == 1 else values or -1


def url_runs(docs: list[Doc]) -> list[int]:
    """[list, first number, count, …] per run of items of one list numbered one after another: items
    are in rank order, which keeps a list's items together, so a list is usually one run."""
    runs: list[int] = []
    for doc in docs:
        number = int(doc.url_suffix[:-1])
        if runs and runs[-3] == doc.list_index and runs[-2] + runs[-1] == number:
            runs[-1] += 1
        else:
            runs += [doc.list_index, number, 1]
    return runs


def _numeric(suffix: str) -> bool:
    return suffix.endswith("/") and suffix[:-1].isdigit() and suffix[:-1] == f"{int(suffix[:-1]):02d}"


T2S_TABLE = Path(__file__).resolve().parents[2] / "static" / "search" / "t2s.json"
MASK_LO, MASK_HI = 0x3400, 0xA000


def t2s_mask() -> str:
    """Base64 bitmap over U+3400–U+9FFF of characters the t2s table may change (as a character
    or as the first of a phrase): the browser loads the table only for a query that has one
    (or a character outside that range)."""
    import base64
    t = json.loads(T2S_TABLE.read_text(encoding="utf-8"))
    bits = bytearray((MASK_HI - MASK_LO + 7) // 8)
    cs = list(t["c"])
    for c in cs[0::2] + [k[0] for k in t["p"]]:
        cp = ord(c)
        if MASK_LO <= cp < MASK_HI:
            bits[(cp - MASK_LO) >> 3] |= 1 << ((cp - MASK_LO) & 7)
    return base64.b64encode(bytes(bits)).decode()
