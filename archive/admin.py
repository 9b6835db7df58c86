"""The browser editor at /admin/: Decap CMS, its configuration generated from the schema and the registries.

Decap's files come from the npm package pinned in package-lock.json (`npm ci`), are checked against the
sha256 sums in admin/decap-cms.sha256 and served from the site itself: nothing is fetched from a CDN when an
editor opens /admin/. The configuration is never written by hand, so the editor asks for exactly what
`check` enforces:

- one folder collection `lists` for every list's _list.yaml (content/<folder>/_list.yaml; new lists too),
- one folder collection per list folder for its items (a folder collection stays small),
- one files collection for the department registries (registry/departments/*.yaml).

An item's `progress` entries are a list in its editor; their `status` is a select of registry/status.yaml.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
from pathlib import Path

import yaml

from .schema import load_schema

HERE = Path(__file__).resolve().parent.parent
VENDOR = HERE / "node_modules" / "decap-cms" / "dist"
SUMS = HERE / "admin" / "decap-cms.sha256"
LOCAL_PORT = 8081          # decap-server's default; `make cms` and the browser test set DECAP_SERVER_PORT


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)     # hundreds of registry files


class VendorMismatch(Exception):
    """node_modules/decap-cms is missing a file or holds other bytes than the pinned version."""


# --- files -----------------------------------------------------------------------------------------

def site_admin_files(root: Path, archive, memo=None) -> dict[str, bytes]:
    """/admin/ for the project at `root` (its content/ folder, registry/schema.yaml) and its validated archive.
    `memo` (the build cache's `MadeFile`): config.yml as the last build made it, if its inputs are the same."""
    content = root / "content"
    if not content.is_dir():        # a tree built from elsewhere: its lists are not where an editor's repo has them
        return {}
    schema, _ = load_schema(root)           # its problems were reported by check, which stops a faulty build
    return admin_files(root, content, schema, archive.jurisdictions, list_labels(archive), memo)


def list_labels(archive) -> dict[str, str]:
    """Folder name → what the sidebar calls its items: 潍坊市 2021 第2批 (weifang-2021-2)."""
    return {lst.id: f"{lst.jurisdiction.display_name} {lst.year}{f' 第{lst.batch}批' if lst.batch else ''}（{lst.id}）"
            for lst in archive.lists}


def admin_files(root: Path, content: Path, schema: dict, jurisdictions: dict,
                labels: dict[str, str], memo=None) -> dict[str, bytes]:
    """Site-relative path → bytes for /admin/; {} when Decap is not installed (a local build without npm)."""
    vendor = vendor_files()
    if vendor is None:
        return {}
    files = {f"admin/{name}": data for name, data in vendor.items()}
    files["admin/index.html"] = index_html(vendor["decap-cms.js"])

    def make() -> bytes:
        return config_yaml(root, content, schema, jurisdictions, labels)
    files["admin/config.yml"] = make() if memo is None else memo.made(
        config_key(root, content, schema, jurisdictions, labels), make)
    return files


def vendor_files() -> dict[str, bytes] | None:
    """The pinned Decap files, each checked against its sha256; None if npm has not installed them."""
    if not VENDOR.is_dir():
        if os.environ.get("NETLIFY") == "true":     # a deploy must never silently lose its editor
            raise VendorMismatch("node_modules/decap-cms 不存在：构建命令要先运行 npm ci")
        return None
    files = {}
    for line in SUMS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        digest, name = line.split()
        path = VENDOR / name
        data = path.read_bytes() if path.is_file() else b""
        if hashlib.sha256(data).hexdigest() != digest:
            raise VendorMismatch(f"node_modules/decap-cms/dist/{name} 与锁定的版本不符（sha256 不同或文件缺失）："
                                 "运行 npm ci 重新安装；升级 Decap 时运行 make admin-sums 更新 admin/decap-cms.sha256")
        files[name] = data
    return files


def sums(dist: Path = VENDOR) -> str:
    """The contents of admin/decap-cms.sha256 for an installed dist folder: the bundle, its chunks, its wasm."""
    names = sorted(p.name for p in dist.iterdir()
                   if p.name == "decap-cms.js" or p.name.endswith((".decap-cms.js", ".wasm", "decap-cms.js.LICENSE.txt")))
    lines = [f"{hashlib.sha256((dist / name).read_bytes()).hexdigest()}  {name}" for name in names]
    return "# sha256 of each file copied from node_modules/decap-cms/dist into site/admin/ (archive/admin.py)\n" + \
        "\n".join(lines) + "\n"


def index_html(bundle: bytes) -> bytes:
    integrity = "sha384-" + base64.b64encode(hashlib.sha384(bundle).digest()).decode()
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="description" content="民生实事档案的网页编辑器（Decap CMS）：编辑登录后修改清单、事项和部门登记表。">
<title>编辑 · 民生实事档案</title>
</head>
<body>
<script src="decap-cms.js" integrity="{integrity}"></script>
</body>
</html>
""".encode()


# --- configuration -------------------------------------------------------------------------------------

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_SHARED = "__the_item_fields__"      # stands for an items collection's fields while the rest is dumped


def config_yaml(root: Path, content: Path, schema: dict, jurisdictions: dict, labels: dict[str, str]) -> bytes:
    """The configuration as YAML. Every list folder's collection has the same fields (about 300 values), and
    PyYAML represents each value in Python: at 2,000 folders that was seconds of every build. So the fields
    of the first two collections are dumped once, in the same place of the same kind of document (the
    indentation and the line width decide the text; the first defines the anchors of the values they share,
    the second refers to them), and that text is spliced in; tests/test_admin.py checks it is what one dump
    of everything gives."""
    header = ("# Generated by build.py (archive/admin.py) from registry/schema.yaml, the registries and the list\n"
              "# folders. Never edit it: change the schema or the registries and build again.\n")
    whole = config(root, content, schema, jurisdictions, labels)
    items = [c for c in whole["collections"] if c["name"].startswith("items-")]
    if len(items) < 2:
        return (header + _dump(whole)).encode()
    prefix = "collections:\n- fields:\n"
    first, later = _dump({"collections": [{"fields": c["fields"]} for c in items[:2]]})[len(prefix):].split(
        "\n- fields:\n")
    fields = [c["fields"] for c in items]
    for collection in items:
        collection["fields"] = _SHARED
    slot = f"  fields: {_SHARED}\n"
    head, *tails = _dump(whole).split(slot)
    if "&id" in head or len(tails) != len(items):     # anchors before the items' fields: not the case here
        for collection, kept in zip(items, fields):
            collection["fields"] = kept
        return (header + _dump(whole)).encode()
    # Anchors are numbered in the order of their first alias; after the items' own come the later ones'.
    shift = sum(m[2] == "&" for m in _ANCHOR.finditer(first))
    tails = [_ANCHOR.sub(lambda m: f"{m[1]}{m[2]}id{int(m[3]) + shift:03d}", tail) for tail in tails]
    return (header + head + "  fields:\n" + first + "\n" + ("  fields:\n" + later).join(tails)).encode()


_ANCHOR = re.compile(r"(: |- )([&*])id(\d+)$", re.M)


def config_key(root: Path, content: Path, schema: dict, jurisdictions: dict, labels: dict[str, str]) -> str:
    """A digest of everything `config` reads (the code aside: the memo adds its version): the folders'
    names, the schema, the port, the jurisdictions' names, the lists' labels, and the bytes of the status
    registry and of every department registry (the collection names each file by its jurisdiction). Reading
    those files is milliseconds; parsing and dumping them was most of the 0.7 s."""
    h = hashlib.blake2b(digest_size=16)
    for part in (content.relative_to(root).as_posix(), os.environ.get("DECAP_SERVER_PORT", str(LOCAL_PORT)),
                 repr(schema), repr(sorted((path, j.display_name) for path, j in jurisdictions.items())),
                 repr(labels), repr(list_folders(content))):
        h.update(f"{len(part)}\0{part}".encode())
    registry = root / "registry"
    for path in (registry / "status.yaml", *sorted((registry / "departments").glob("*.yaml"))):
        data = path.read_bytes() if path.is_file() else None
        h.update(f"{path.relative_to(root).as_posix()}\0{-1 if data is None else len(data)}\0".encode())
        h.update(data or b"")
    return h.hexdigest()


def _dump(data) -> str:
    return yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=120)


def config(root: Path, content: Path, schema: dict, jurisdictions: dict, labels: dict[str, str]) -> dict:
    port = os.environ.get("DECAP_SERVER_PORT", str(LOCAL_PORT))
    folder = content.relative_to(root).as_posix()
    status_file = root / "registry" / "status.yaml"
    codes = [c["code"] for c in yaml.safe_load(status_file.read_text(encoding="utf-8"))["codes"]] \
        if status_file.is_file() else []
    return {
        "backend": {"name": "git-gateway", "branch": "main",
                    "commit_messages": {"create": "新建 {{collection}}“{{slug}}”（网页编辑）",
                                        "update": "修改 {{collection}}“{{slug}}”（网页编辑）",
                                        "delete": "删除 {{collection}}“{{slug}}”（网页编辑）"}},
        "local_backend": {"url": f"http://localhost:{port}/api/v1"},
        "locale": "zh_Hans",
        "publish_mode": "simple",
        "media_folder": "sources",
        "public_folder": "sources",
        "collections": [lists_collection(folder, schema, jurisdictions),
                        *[items_collection(folder, name, labels.get(name, name), schema, codes)
                          for name in list_folders(content)],
                        departments_collection(root, schema, jurisdictions)],
    }


def list_folders(content: Path) -> list[str]:
    return sorted(p.parent.name for p in content.glob("*/_list.yaml") if not p.parent.name.startswith("."))


def lists_collection(folder: str, schema: dict, jurisdictions: dict) -> dict:
    fields = [field(name, spec, schema) for name, spec in schema["list"].items()]
    for f in fields:
        if f["name"] == "jurisdiction":
            f.update(widget="select", options=[{"label": f"{j.display_name}（{path}）", "value": path}
                                               for path, j in sorted(jurisdictions.items())])
    return {
        "name": "lists", "label": "清单", "label_singular": "清单",
        "description": "每份清单一个文件夹：这里填清单本身（行政区划、年份、标题、原文）。新清单保存后，"
                       "网站重新生成时左侧会出现它的事项栏目。",
        "folder": folder, "path": "{{slug}}/_list", "extension": "yaml", "format": "yaml",
        "create": True, "identifier_field": "title", "editor": {"preview": False},
        "slug": "{{fields.jurisdiction}}-{{fields.year}}{{fields.batch | ternary('-', '')}}{{fields.batch}}",
        "summary": "{{fields.year}}{{fields.batch | ternary('-', '')}}{{fields.batch}} · {{title}}",
        "fields": fields,
    }


def items_collection(folder: str, name: str, label: str, schema: dict, codes: list[str]) -> dict:
    fields = [field(key, spec, schema) for key, spec in schema["item"].items()]
    for entry in (f for f in fields if f["name"] == "progress"):
        for f in entry["fields"]:
            if f["name"] == "status":                  # one of registry/status.yaml's codes, never free text
                f.update(widget="select", options=codes)
    # The body is verbatim text: a plain text box, never the Markdown editor, which re-escapes ** and _.
    fields.append({"name": "body", "label": "正文", "widget": "text", "required": False,
                   "hint": "事项内容，照原文；隐去的字照原文写 **"})
    return {
        "name": f"items-{name}", "label": label, "label_singular": "事项",
        "folder": f"{folder}/{name}", "extension": "md", "format": "frontmatter",
        "create": True, "identifier_field": "title", "slug": "{{fields.number}}", "editor": {"preview": False},
        "summary": "{{number}}. {{title}}", "sortable_fields": ["number", "title"],
        "fields": fields,
    }


def departments_collection(root: Path, schema: dict, jurisdictions: dict) -> dict:
    entry = [field(key, spec, schema) for key, spec in schema["department"].items()]
    files = []
    for path in sorted((root / "registry" / "departments").glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}     # only its jurisdiction
        place = jurisdictions.get(data.get("jurisdiction"))
        files.append({
            "name": path.stem, "label": place.display_name if place else path.stem,
            "file": path.relative_to(root).as_posix(),
            "fields": [
                {"name": "jurisdiction", "label": "行政区划", "widget": "string", "required": True,
                 "hint": "这份登记表所属的行政区划路径；不要改"},
                {"name": "departments", "label": "部门", "label_singular": "部门", "widget": "list",
                 "required": False, "summary": "{{fields.name}}", "fields": entry},
            ],
        })
    return {"name": "departments", "label": "部门登记表", "editor": {"preview": False},
            "description": "每个行政区划的部门：规范名称、拼音 slug 和原文中的其他写法。", "files": files}


WIDGETS = {"integer": "number", "number": "number", "string": "string", "date": "datetime", "names": "list",
           "line_range": "list", "flags": "select", "progress": "list", "source": "object"}
# A progress entry's `source` is {path, lines} for a report kept in sources/, or {url, title, publisher} for a
# page that is not; Decap leaves out what is left empty, and check says which pair is wrong.
SOURCE_FIELDS = [
    {"name": "path", "label": "原文文件（path）", "widget": "string", "required": False,
     "hint": "保存在 sources/ 的报告，如 sources/报告.txt；与 lines 一起写"},
    {"name": "lines", "label": "起止行号（lines）", "widget": "list", "required": False, "min": 2, "max": 2,
     "field": {"name": "line", "label": "行号", "widget": "number", "value_type": "int", "min": 1},
     "hint": "报告中关于本事项的起止行号"},
    {"name": "url", "label": "网址（url）", "widget": "string", "required": False,
     "hint": "没有保存在 sources/ 的网页：写网址、标题和发布者，不写 path"},
    {"name": "title", "label": "网页标题（title）", "widget": "string", "required": False, "hint": "网页的标题"},
    {"name": "publisher", "label": "发布者（publisher）", "widget": "string", "required": False, "hint": "发布网页的机关"},
]


def field(name: str, spec: dict, schema: dict) -> dict:
    """One schema field as a Decap field: the same required-ness, a widget for its type, its help as hint."""
    out = {"name": name, "label": f"{spec['label']}（{name}）", "widget": WIDGETS[spec["type"]], "required": bool(spec.get("required")),
           "hint": spec["help"]}
    kind = spec["type"]
    if kind == "integer":
        out.update(value_type="int", **({"min": spec["min"]} if "min" in spec else {}))
    elif kind == "date":
        out.update(format="YYYY-MM-DD", date_format="YYYY-MM-DD", time_format=False, picker_utc=True)
    elif kind == "names":
        out.update(field={"name": "name", "label": "名称", "widget": "string"}, allow_add=True)
    elif kind == "line_range":
        out.update(field={"name": "line", "label": "行号", "widget": "number", "value_type": "int", "min": 1},
                   min=2, max=2)
    elif kind == "flags":
        out.update(multiple=True, options=list(schema["flags"]))
    elif kind == "number":
        out.update(value_type="float")
    elif kind == "progress":
        out.update(label_singular="进展", summary="{{fields.date}} {{fields.status}}",
                   fields=[field(key, entry, schema) for key, entry in schema["progress"].items()])
    elif kind == "source":
        out.update(collapsed=False, fields=SOURCE_FIELDS)
    return out
