"""Start a new list, item or jurisdiction: files with every field and its help, for an editor to fill in."""
from __future__ import annotations

from pathlib import Path

from ..registry import load_registry
from ..scaffold import Refused, add_jurisdiction, new_department_file, new_item, new_list
from ..schema import load_schema
from .args import CommandError, content_dir, folder_name, positive, year
from .build import HERE

EXAMPLES = """示例：
  python build.py new list --jurisdiction shandong/weifang --year 2022             新清单 content/weifang-2022/
  python build.py new list --jurisdiction shandong/weifang --year 2022 --batch 2   第二批：content/weifang-2022-2/
  python build.py new item weifang-2022                                           下一个序号的事项文件
  python build.py new jurisdiction 奎文区 --parent shandong/weifang                登记区县，slug 用拼音 kuiwenqu
"""


def add_arguments(parser) -> None:
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="{list,item,jurisdiction}")
    one = kinds.add_parser("list", help="新清单：content/<名称>/_list.yaml", epilog=EXAMPLES)
    one.add_argument("--jurisdiction", required=True, help="registry/jurisdictions.yaml 中的路径，如 shandong/weifang")
    one.add_argument("--year", required=True, type=year, help="四位年份，如 2022")
    one.add_argument("--batch", type=positive, help="批次，如第二批写 2；没有批次就不写")
    item = kinds.add_parser("item", help="清单里下一个序号的事项文件", epilog=EXAMPLES)
    item.add_argument("list_id", metavar="LIST_ID", type=folder_name, help="清单文件夹名，如 weifang-2022")
    place = kinds.add_parser("jurisdiction", help="在 registry/jurisdictions.yaml 登记行政区划", epilog=EXAMPLES)
    place.add_argument("name", help="照原文写的名称，如 奎文区")
    place.add_argument("--parent", help="上级的路径，如 shandong/weifang；省一级不写")
    place.add_argument("--slug", help="网址用的拼音（默认由名称自动生成）")
    for sub in (one, item, place):
        sub.add_argument("--content", type=content_dir, default=str(HERE / "content"),
                         help="内容文件夹（它的上一级有 registry/ 和 sources/）")


def run(args) -> int:
    content = args.content.resolve()
    registry_dir = content.parent / "registry"
    schema, problems = load_schema(content.parent)
    if problems:
        first = problems[0]
        raise CommandError(f"先改好 {first.path} 再新建：第 {first.line or '?'} 行 [{first.field}] {first.message}"
                           f"（python build.py check 列出全部问题）")
    try:
        if args.kind == "list":
            registry, _ = load_registry(registry_dir, content.parent)
            path = new_list(content, schema, registry.jurisdictions, args.jurisdiction, args.year, args.batch)
            print(f"写好了 {shown(path)}：照原文填上标题、发布者和原文文件，"
                  f"再用 python build.py new item {path.parent.name} 加事项")
        elif args.kind == "item":
            folder = content / args.list_id
            if not folder.is_dir():
                raise Refused(f"找不到清单文件夹 {shown(folder)}：先用 python build.py new list 建清单")
            path = new_item(folder, schema)
            print(f"写好了 {shown(path)}：照原文填上各字段和正文，然后运行 python build.py check")
        else:
            path = add_jurisdiction(registry_dir / "jurisdictions.yaml", args.name, args.parent, args.slug)
            made = new_department_file(registry_dir, path)
            print(f"登记了 {path}（{args.name}）：请核对拼音，多音字可改用 --slug 重新登记"
                  + (f"；部门登记表 {shown(made)} 已建好" if made else ""))
    except Refused as refused:
        raise CommandError(str(refused)) from None
    return 0


def shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()
