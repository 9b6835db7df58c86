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


def summary(problems: list[Problem]) -> str:
    errors = sum(p.is_error for p in problems)
    return f"{errors} 个错误，{len(problems) - errors} 个警告"


def ordered(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.severity != ERROR, p.path, p.line or 0))


def report(problems: list[Problem], stream, *, with_summary: bool = True) -> None:
    for problem in ordered(problems):
        print(problem.format(), file=stream)
    if problems and with_summary:
        print(summary(problems), file=stream)


def github_annotation(problem: Problem) -> str:
    """A workflow command GitHub Actions shows on the file's line in a pull request's diff."""
    def escape(text: str, properties: bool = False) -> str:
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if properties else text

    kind = "error" if problem.is_error else "warning"
    where = f"file={escape(problem.path, True)}"
    if problem.line:
        where += f",line={problem.line}"
    if problem.field:
        where += f",title={escape(problem.field, True)}"
    message = problem.message + (f" → {problem.hint}" if problem.hint else "")
    return f"::{kind} {where}::{escape(message)}"
