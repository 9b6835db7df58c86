"""New files for editors to fill in: a list's _list.yaml, an item with the next free number, a jurisdiction.

Every field of registry/schema.yaml is written, each with its Chinese help as a comment. Nothing is
guessed: what only the source can say (title, source lines …) is left empty, so `check` names it until
the editor fills it in.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from .content import LIST_FILE
from .registry import LEVELS, SLUG

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Refused(Exception):
    """Why a file was not written; one line for the editor."""


# --- front matter with comments ------------------------------------------------------------------

def commented_fields(fields: dict, values: dict) -> str:
    """`key: value  # 必填。help` for every field of the schema, in the schema's order."""
    lines = []
    for key, spec in fields.items():
        value = values.get(key)
        text = f"{key}: {yaml_value(value)}" if value is not None else f"{key}:"
        required = "必填。" if spec.get("required") else ""
        lines.append(f"{text:<22}  # {required}{spec['help']}")
    return "\n".join(lines) + "\n"


def yaml_value(value) -> str:
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True).strip().removesuffix("\n...")


def write_new(path: Path, text: str) -> None:
    """Create `path`, never replacing a file that is there (O_EXCL: not even one made a moment ago)."""
    with open(path, "x", encoding="utf-8") as f:
        f.write(text)


# --- lists ----------------------------------------------------------------------------------------

def new_list(content: Path, schema: dict, jurisdictions: dict, jurisdiction: str, year: int,
             batch: int | None) -> Path:
    if jurisdiction not in jurisdictions:
        near = [path for path in jurisdictions if path.rsplit("/", 1)[-1] == jurisdiction.rsplit("/", 1)[-1]]
        hint = f"是不是 {near[0]}？" if near else "先用 python build.py new jurisdiction 登记它。"
        raise Refused(f"registry/jurisdictions.yaml 里没有行政区划“{jurisdiction}”：{hint}")
    for folder, meta in existing_lists(content):
        if (meta.get("jurisdiction"), meta.get("year"), meta.get("batch")) == (jurisdiction, year, batch):
            raise Refused(f"已有同一行政区划、年份、批次的清单：{folder}/{LIST_FILE}；同一年有多批时用 --batch 区分")
    suffix = f"{year}-{batch}" if batch else f"{year}"
    names = [f"{jurisdiction.rsplit('/', 1)[-1]}-{suffix}", f"{jurisdiction.replace('/', '-')}-{suffix}"]
    folder = next((content / name for name in names if not (content / name).exists()), None)
    if folder is None:
        raise Refused(f"文件夹 {content / names[-1]} 已经存在")
    values = {"jurisdiction": jurisdiction, "year": year, "batch": batch}
    header = (f"# {jurisdictions[jurisdiction].name} {year} 年{f'第 {batch} 批' if batch else ''}清单。"
              "照原文填写；空着的必填字段 check 会提示。\n")
    folder.mkdir()
    write_new(folder / LIST_FILE, header + commented_fields(schema["list"], values))
    return folder / LIST_FILE


def existing_lists(content: Path):
    """(folder name, _list.yaml data) of every readable list; broken ones are check's business."""
    for meta_path in sorted(content.glob(f"*/{LIST_FILE}")):
        try:
            data = yaml.load(meta_path.read_text(encoding="utf-8-sig"), Loader=Loader)
        except (yaml.YAMLError, UnicodeDecodeError, OSError):
            continue
        if isinstance(data, dict):
            yield meta_path.parent.name, data


# --- items ----------------------------------------------------------------------------------------

def new_item(folder: Path, schema: dict) -> Path:
    if not (folder / LIST_FILE).is_file():
        raise Refused(f"{folder} 里没有 {LIST_FILE}，不是清单文件夹：先运行 python build.py new list")
    number = max(item_numbers(folder), default=0) + 1
    path = folder / f"{number:02d}.md"
    if path.exists():
        raise Refused(f"{path} 已经存在，但里面的序号不是 {number}：先核对这个文件的 number")
    write_new(path, "---\n" + commented_fields(schema["item"], {"number": number}) + "---\n")
    return path


def item_numbers(folder: Path):
    """The numbers in use: each item's front matter `number`, or its file name's digits if unreadable."""
    for path in folder.glob("*.md"):
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        match = re.search(r"^number:\s*(\d+)\s*(#.*)?$", text.split("\n---", 1)[0], re.MULTILINE)
        digits = match.group(1) if match else "".join(re.findall(r"\d", path.stem))
        if digits:
            yield int(digits)


# --- jurisdictions ----------------------------------------------------------------------------------

def pinyin_slug(name: str) -> str:
    """潍坊市 → weifang, 奎文区 → kuiwenqu: pinyin without tones, the 省/市 that every URL would repeat dropped."""
    from pypinyin import Style, lazy_pinyin   # only this command needs it

    stem = re.sub(r"(省|市)$", "", name) if len(name) > 2 else name
    text = "".join(lazy_pinyin(stem, style=Style.NORMAL, errors="default"))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def add_jurisdiction(registry_file: Path, name: str, parent: str | None, slug: str | None) -> str:
    """Append a jurisdiction under `parent` (None: a province) keeping the file's comments; returns its path."""
    text = registry_file.read_text(encoding="utf-8")
    root = yaml.compose(text, Loader=Loader)
    siblings_node, parent_node = find_children(root, parent)
    depth = parent.count("/") + 1 if parent else 0
    if depth >= len(LEVELS):
        raise Refused(f"{parent} 已是区县一级，下面不能再加行政区划（最多三级：省、市、区县）")
    slug = slug or pinyin_slug(name)
    if not SLUG.fullmatch(slug or ""):
        raise Refused(f"“{name}”得不出拼音 slug：用 --slug 写一个，只用小写字母、数字和连字符，如 weifang")
    for entry in yaml.safe_load(yaml.serialize(siblings_node)) if siblings_node else ():
        if entry.get("name") == name or entry.get("slug") == slug:
            where = f"{parent}/{entry.get('slug')}" if parent else entry.get("slug")
            raise Refused(f"已有行政区划 {where}（{entry.get('name')}）：不重复登记；同名不同地方请用 --slug 区分")
    lines = text.split("\n")
    at, block = insertion(lines, siblings_node, parent_node, slug, name)
    lines[at:at] = block
    new_text = "\n".join(lines)
    path = f"{parent}/{slug}" if parent else slug
    if path not in registry_paths(yaml.load(new_text, Loader=Loader)):
        raise RuntimeError(f"inserting {path} into {registry_file} did not produce it")   # a bug, not the editor's
    replace_file(registry_file, new_text)
    return path


def find_children(root, parent: str | None):
    """(the sequence node holding `parent`'s children or None, the parent's mapping node or None)."""
    sequence, mapping = root, None
    for slug in parent.split("/") if parent else ():
        entries = sequence.value if sequence else []
        mapping = next((m for m in entries if _get(m, "slug") and _get(m, "slug").value == slug), None)
        if mapping is None:
            raise Refused(f"registry/jurisdictions.yaml 里没有上级行政区划“{parent}”：先登记它")
        sequence = _get(mapping, "children")
    return sequence, mapping


def _get(mapping, key: str):
    return next((value for k, value in mapping.value if k.value == key), None)


def insertion(lines: list[str], siblings, parent, slug: str, name: str) -> tuple[int, list[str]]:
    """Where the new entry goes (after the last line of its last sibling) and its lines."""
    entry = [f"- slug: {slug}", f"  name: {yaml_value(name)}"]
    if siblings is not None and siblings.value:
        column = siblings.value[0].start_mark.column - 2
        return last_line(siblings) + 1, [" " * column + line for line in entry]
    if parent is None:                              # an empty file
        return len(lines), entry
    column = parent.start_mark.column
    return last_line(parent) + 1, [" " * column + "children:"] + [" " * (column + 2) + line for line in entry]


def last_line(node) -> int:
    """0-based line of the last scalar under `node`: a block's own end mark lies past comments that follow."""
    if isinstance(node, yaml.ScalarNode):
        return node.end_mark.line
    children = node.value if isinstance(node, yaml.SequenceNode) else [v for pair in node.value for v in pair]
    return max(last_line(child) for child in children)


def registry_paths(entries, parent: str = "") -> set[str]:
    paths = set()
    for entry in entries or ():
        path = f"{parent}/{entry['slug']}" if parent else entry["slug"]
        paths |= {path} | registry_paths(entry.get("children"), path)
    return paths


def new_department_file(registry_dir: Path, path: str) -> Path | None:
    """An empty department registry for a new jurisdiction, so `check` and the editor have a place to add names."""
    file = registry_dir / "departments" / f"{path.replace('/', '-')}.yaml"
    if file.exists():
        return None
    write_new(file, "# 本行政区划的部门：规范名称 name、拼音 slug（网址）、原文中的其他写法 aliases。\n"
                    f"jurisdiction: {path}\ndepartments: []\n")
    return file


def replace_file(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.new-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
