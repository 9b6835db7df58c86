"""registry/schema.yaml: the fields an editor may write, read and checked in one place.

Editors may change this file (a label, a help text, a new optional field). A mistake in it used to
surface as a KeyError deep in admin.py or as a field silently left unchecked (an unknown `type`); here it
becomes an error with its line, in Chinese, and the field in error is left out so the rest still runs
(the build stops anyway, because the problem is an error).
"""
from __future__ import annotations

from pathlib import Path

import yaml

from .problems import Problem

SECTIONS = {"list": "清单", "item": "事项", "department": "部门登记表条目", "progress": "进展通报条目"}
TYPES = {
    "integer": "整数", "number": "数", "string": "文字", "date": "日期", "names": "名称列表",
    "line_range": "起止行号", "flags": "标记列表", "progress": "进展通报列表", "source": "来源",
}
KEYS = {"label", "type", "required", "help", "min"}


def load_schema(root: Path) -> tuple[dict, list[Problem]]:
    """The schema of the project at `root` with its faulty fields left out, and what is wrong with it."""
    path = root / "registry" / "schema.yaml"
    where = path.relative_to(root).as_posix()
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8")
        node, data = yaml.compose(text), yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(where, mark.line + 1 if mark else None, "", f"读不了这个文件：{exc}",
                                "恢复 registry/schema.yaml（git checkout registry/schema.yaml），再重新修改"))
        return {"flags": [], **{s: {} for s in SECTIONS}}, problems
    lines = _lines(node)
    schema = {"flags": _flags(data, where, lines, problems)}
    for section, name in SECTIONS.items():
        fields = data.get(section) if isinstance(data, dict) else None
        if not isinstance(fields, dict):
            problems.append(Problem(where, lines.get((section,)), section, f"缺少“{section}:”一节（{name}的字段）",
                                    f"恢复“{section}:”一节：每个字段一行，如 title: {{label: 标题, type: string, help: …}}"))
            fields = {}
        schema[section] = {key: spec for key, spec in fields.items()
                           if _field_ok(section, key, spec, where, lines.get((section, key)), problems)}
    return schema, problems


def _field_ok(section: str, key, spec, where: str, line: int | None, problems: list[Problem]) -> bool:
    def wrong(message: str, hint: str) -> bool:
        problems.append(Problem(where, line, f"{section}.{key}", message, hint))
        return False

    example = f"{key}: {{label: 中文名, type: string, help: 填写说明}}"
    if not isinstance(spec, dict):
        return wrong(f"字段“{key}”应写成 {{label: …, type: …, help: …}}，现在是“{spec}”", f"改成 {example}")
    unknown = sorted(set(spec) - KEYS, key=str)
    if unknown:
        return wrong(f"字段“{key}”有不认识的键：{'、'.join(map(str, unknown))}",
                     f"只能用 {'、'.join(sorted(KEYS))}；检查拼写")
    for part, what in (("label", "浏览器编辑器里显示的中文名"), ("help", "给编辑看的填写说明")):
        if not isinstance(spec.get(part), str) or not spec[part].strip():
            return wrong(f"字段“{key}”缺少 {part}（{what}）", f"加上 {part}: …，如 {example}")
    if spec.get("type") not in TYPES:
        kinds = "、".join(f"{t}（{n}）" for t, n in TYPES.items())
        return wrong(f"字段“{key}”的 type “{spec.get('type')}”不认识", f"type 只能是 {kinds} 之一")
    if not isinstance(spec.get("required", False), bool):
        return wrong(f"字段“{key}”的 required 应为 true 或 false，现在是“{spec['required']}”",
                     "必填写 required: true；可不填就删掉 required")
    if "min" in spec and (spec["type"] not in ("integer", "number")
                          or isinstance(spec["min"], bool) or not isinstance(spec["min"], int)):
        return wrong(f"字段“{key}”的 min “{spec['min']}”只用于整数或数字字段，且应为整数",
                     "改成整数，如 min: 1；文字字段不要写 min")
    return True


def _flags(data, where: str, lines: dict, problems: list[Problem]) -> list[str]:
    flags = data.get("flags") if isinstance(data, dict) else None
    if isinstance(flags, list) and all(isinstance(f, str) and f.strip() for f in flags):
        return flags
    problems.append(Problem(where, lines.get(("flags",)), "flags", f"flags 应为标记名的列表，现在是“{flags}”",
                            "写成 flags: [redacted, uncertain, fragment]"))
    return []


def _lines(node) -> dict[tuple, int]:
    """1-based line of each section key and each field key, from the composed YAML."""
    lines: dict[tuple, int] = {}
    if not isinstance(node, yaml.MappingNode):
        return lines
    for key, value in node.value:
        lines[(key.value,)] = key.start_mark.line + 1
        if isinstance(value, yaml.MappingNode):
            for field, _ in value.value:
                lines[(key.value, field.value)] = field.start_mark.line + 1
    return lines
