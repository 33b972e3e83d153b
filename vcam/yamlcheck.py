"""Reading YAML with line numbers, so that every error in a show or MIDI map names the file, the line and the fix."""
from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


class ConfigError(ValueError):
    """One or more problems in a YAML file, each as 'file:line: message'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Reader:
    """Collects problems while reading a composed YAML document."""

    path: str
    problems: list[str] = field(default_factory=list)

    def error(self, node: Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.problems.append(f"{self.path}:{line}: {message}")

    def compose(self, text: str) -> Node | None:
        try:
            return yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line = mark.line + 1 if mark else 1
            started = ""
            if e.context_mark is not None and e.context_mark.line + 1 != line:
                started = f"; the {e.context.removeprefix('while parsing ')} started on line {e.context_mark.line + 1}"
            self.problems.append(f"{self.path}:{line}: not valid YAML ({e.problem}{started}); "
                                 "check indentation, quotes and brackets")
        except yaml.YAMLError as e:
            self.problems.append(f"{self.path}:1: not valid YAML ({e})")
        return None

    def mapping(self, node: Node, what: str, known: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            self.error(node, f"{what} must be a mapping of key: value lines")
            return {}
        out: dict[str, Node] = {}
        for key_node, value in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key in out:
                self.error(key_node, f"{what}: key {key!r} is given twice; keep one")
            elif key not in known:
                self.error(key_node, f"{what}: unknown key {key!r}; known keys: {', '.join(known)}")
            else:
                out[key] = value
        for key in required:
            if key not in out:
                self.error(node, f"{what}: {key!r} is missing")
        return out

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            self.error(node, f"{what} must be a list (lines starting with '- ')")
            return []
        return list(node.value)

    def value(self, node: Node):
        return _construct(node) if isinstance(node, ScalarNode) else node

    def string(self, node: Node, what: str, max_len: int = 2000) -> str | None:
        v = self.value(node)
        if not isinstance(v, str) or not v.strip():
            self.error(node, f"{what} must be non-empty text")
            return None
        if len(v) > max_len:
            self.error(node, f"{what} is too long ({len(v)} characters, at most {max_len})")
            return None
        return v.strip()

    def integer(self, node: Node, what: str, lo: int, hi: int) -> int | None:
        v = self.value(node)
        if isinstance(v, bool) or not isinstance(v, int):
            self.error(node, f"{what} must be a whole number from {lo} to {hi}")
            return None
        if not lo <= v <= hi:
            self.error(node, f"{what} {v} is out of range ({lo} to {hi})")
            return None
        return v

    def number(self, node: Node, what: str, lo: float, hi: float) -> float | None:
        v = self.value(node)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v:
            self.error(node, f"{what} must be a number from {lo:g} to {hi:g}")
            return None
        if not lo <= v <= hi:
            self.error(node, f"{what} {v:g} is out of range ({lo:g} to {hi:g})")
            return None
        return float(v)

    def choice(self, node: Node, what: str, choices: tuple[str, ...]) -> str | None:
        v = self.value(node)
        if v not in choices:
            self.error(node, f"{what} must be one of {', '.join(choices)} (got {v!r})")
            return None
        return v

    def raise_if_any(self) -> None:
        if self.problems:
            raise ConfigError(self.problems)


def _construct(node: ScalarNode):
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
