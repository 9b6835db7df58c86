"""Registries: the data files under registry/ that say which jurisdictions and departments exist.

They are data an editor reads and edits; this module only loads and checks them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .model import Department, Jurisdiction
from .problems import Problem

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LEVELS = ("province", "city", "district")
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Registry:
    jurisdictions: dict[str, Jurisdiction]
    departments: dict[str, Department]
    names: dict[tuple[str, str], Department]     # (jurisdiction path, printed name) → department
    generic_names: frozenset[str]
    generic_prefixes: tuple[str, ...]
    no_date_phrases: tuple[str, ...]

    def is_generic(self, name: str) -> bool:
        return name in self.generic_names or name.startswith(self.generic_prefixes)

    def resolve(self, jurisdiction: str, name: str) -> Department | None:
        return self.names.get((jurisdiction, name))


def load_registry(registry_dir: Path, root: Path) -> tuple[Registry, list[Problem]]:
    problems: list[Problem] = []
    jurisdictions = _load_jurisdictions(registry_dir / "jurisdictions.yaml", root, problems)
    departments, names = {}, {}
    for path in sorted((registry_dir / "departments").glob("*.yaml")):
        _load_departments(path, root, jurisdictions, departments, names, problems)
    generic = _load(registry_dir / "generic.yaml", root, problems) or {}
    deadlines = _load(registry_dir / "deadlines.yaml", root, problems) or {}
    registry = Registry(
        jurisdictions, departments, names,
        frozenset(generic.get("names") or ()), tuple(generic.get("prefixes") or ()),
        tuple(deadlines.get("no_date_phrases") or ()),
    )
    return registry, problems


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _load(path: Path, root: Path, problems: list[Problem]):
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
    except FileNotFoundError:
        problems.append(Problem(_rel(path, root), None, "", "登记表文件不存在", "恢复这个文件"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        problems.append(Problem(_rel(path, root), line + 1 if line is not None else None, "",
                                f"登记表无法读取：{exc}", "按 YAML 格式修正"))
    return None


def _load_jurisdictions(path: Path, root: Path, problems: list[Problem]) -> dict[str, Jurisdiction]:
    found: dict[str, Jurisdiction] = {}

    def walk(entries, parent: Jurisdiction | None, depth: int) -> None:
        for entry in entries or ():
            slug, name = str(entry.get("slug", "")), str(entry.get("name", ""))
            if not SLUG.fullmatch(slug) or not name or depth >= len(LEVELS):
                problems.append(Problem(_rel(path, root), None, "slug",
                                        f"行政区划“{name or slug}”的 slug 或名称不合规",
                                        "slug 只用小写拼音字母、数字和连字符，最多三级"))
                continue
            full = f"{parent.path}/{slug}" if parent else slug
            found[full] = Jurisdiction(full, slug, name, LEVELS[depth], parent.path if parent else None,
                                       entry.get("display_name") or name, entry.get("note") or "")
            walk(entry.get("children"), found[full], depth + 1)

    walk(_load(path, root, problems), None, 0)
    return found


def _load_departments(path, root, jurisdictions, departments, names, problems) -> None:
    data = _load(path, root, problems) or {}
    where = _rel(path, root)
    jurisdiction = data.get("jurisdiction")
    if jurisdiction not in jurisdictions:
        problems.append(Problem(where, None, "jurisdiction", f"未知的行政区划“{jurisdiction}”",
                                "写 registry/jurisdictions.yaml 中已有的路径，如 shandong/weifang"))
        return
    for entry in data.get("departments") or ():
        slug, name = str(entry.get("slug", "")), str(entry.get("name", ""))
        if not SLUG.fullmatch(slug) or not name:
            problems.append(Problem(where, None, "slug", f"部门“{name or slug}”的 slug 或名称不合规",
                                    "slug 只用小写拼音字母、数字和连字符"))
            continue
        dept = Department(jurisdiction, slug, name, tuple(entry.get("aliases") or ()))
        if dept.key in departments:
            problems.append(Problem(where, None, "slug", f"部门 slug “{slug}”重复", "给每个部门不同的 slug"))
            continue
        departments[dept.key] = dept
        for printed in (name, *dept.aliases):
            if (jurisdiction, printed) in names:
                problems.append(Problem(where, None, "aliases",
                                        f"名称“{printed}”同时属于两个部门", "每个名称只能指向一个部门"))
            names[(jurisdiction, printed)] = dept
