"""Problems found in content: what an editor needs to fix it, never a traceback."""
from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
_LABEL = {ERROR: "错误", WARNING: "警告"}


@dataclass(frozen=True)
class Problem:
    path: str                 # repo-relative file
    line: int | None          # 1-based line in that file, None when the whole file is meant
    field: str                # front-matter key, or "" for the file as a whole
    message: str              # what is wrong
    hint: str = ""            # what to do about it
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        field = f" [{self.field}]" if self.field else ""
        hint = f"\n    → {self.hint}" if self.hint else ""
        return f"{where}: {_LABEL[self.severity]}{field}: {self.message}{hint}"


def report(problems: list[Problem], stream) -> None:
    for problem in sorted(problems, key=lambda p: (p.severity != ERROR, p.path, p.line or 0)):
        print(problem.format(), file=stream)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    if problems:
        print(f"{errors} 个错误，{warnings} 个警告", file=stream)
