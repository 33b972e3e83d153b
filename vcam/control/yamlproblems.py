"""The problems found in a show or map file, each 'file:line: message', and the order they are said in."""
from __future__ import annotations

import re


MAX_PROBLEMS = 50  # one mistake repeated all through a file says nothing more the 51st time


class ConfigError(ValueError):
    """One or more problems in a YAML file, each as 'file:line: message'; `what` names the kind of file."""

    def __init__(self, problems: list[str], what: str = "the show file"):
        self.problems = problems
        self.what = what
        super().__init__("\n".join(problems))


PROBLEM_AT = re.compile(r"(.*?):(\d+): ")  # a problem's file and line, as Reader.add writes them


def in_line_order(problems: list[str], first: str | None = None) -> list[str]:
    """`problems` by line within each file, the files in the order of their first problem: a section read in passes
    (each entry, then what entries share, then the presets they name) said line 10 before line 7, and an operator
    fixing them top down met them out of turn. `first`: the file whose problems come before any other's (the show
    checked, before the map files it names, whose problems are found as its midi: section is read)."""
    files: dict[str, int] = {first: 0} if first is not None else {}
    keys = []
    for problem in problems:
        found = PROBLEM_AT.match(problem)
        file, line = (found[1], int(found[2])) if found else ("", 0)  # Reader.add writes none without its line
        keys.append((files.setdefault(file, len(files)), line))
    return [problem for _, problem in sorted(zip(keys, problems), key=lambda kp: kp[0])]
