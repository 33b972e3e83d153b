"""Reading YAML with line numbers, so that every error in a show or MIDI map names the file, the line and the fix."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


# What Reader.value returns for a scalar that could not be constructed; the problem is already recorded, so the
# typed readers return None without adding a second message about the same value.
INVALID = object()


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

    def value(self, node: Node, what: str = "value"):
        """The Python value of a scalar (a collection node is returned as is); INVALID after recording why."""
        if not isinstance(node, ScalarNode):
            return node
        loader = yaml.SafeLoader("")
        try:
            return loader.construct_object(node, deep=True)
        except Exception as e:  # a tag forces a type the text is not (!!int abc) or that safe loading refuses
            tag = _shown_tag(node.tag)
            if isinstance(e, yaml.constructor.ConstructorError) and "could not determine" in (e.problem or ""):
                self.error(node, f"{what}: unknown tag {tag}; remove it (show files hold plain text, numbers "
                                 "and lists)")
            else:
                # the constructors' own exceptions (int(), a failed regex match) say nothing to a show writer
                reason = f" ({e.problem})" if isinstance(e, yaml.MarkedYAMLError) and e.problem else ""
                self.error(node, f"{what}: {node.value!r} is not a valid {tag}{reason}; remove the tag or fix "
                                 "the value")
            return INVALID
        finally:
            loader.dispose()

    def string(self, node: Node, what: str, max_len: int = 2000) -> str | None:
        v = self.value(node, what)
        if v is INVALID:
            return None
        if not isinstance(v, str) or not v.strip():
            read_as = _read_as(v)
            if read_as and isinstance(node, ScalarNode) and node.value.strip():
                # YAML turns unquoted off/yes/null and digits into other types; the fix is quoting
                self.error(node, f"{what} must be non-empty text, but {node.value} is read as {read_as}; "
                                 f"quote it: {_quoted(node.value)}")
            else:
                self.error(node, f"{what} must be non-empty text")
            return None
        if len(v) > max_len:
            self.error(node, f"{what} is too long ({len(v)} characters, at most {max_len})")
            return None
        return v.strip()

    def integer(self, node: Node, what: str, lo: int, hi: int) -> int | None:
        v = self.value(node, what)
        if v is INVALID:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            self.error(node, f"{what} must be a whole number from {lo} to {hi}")
            return None
        if not lo <= v <= hi:
            self.error(node, f"{what} {v} is out of range ({lo} to {hi})")
            return None
        return v

    def number(self, node: Node, what: str, lo: float, hi: float) -> float | None:
        v = self.value(node, what)
        if v is INVALID:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v:
            self.error(node, f"{what} must be a number from {lo:g} to {hi:g}")
            return None
        if not lo <= v <= hi:
            self.error(node, f"{what} {v:g} is out of range ({lo:g} to {hi:g})")
            return None
        return float(v)

    def choice(self, node: Node, what: str, choices: tuple[str, ...]) -> str | None:
        v = self.value(node, what)
        if v is INVALID:
            return None
        if v not in choices:
            self.error(node, f"{what} must be one of {', '.join(choices)} (got {v!r})")
            return None
        return v

    def raise_if_any(self) -> None:
        if self.problems:
            raise ConfigError(self.problems)


def _read_as(v) -> str | None:
    """How YAML read an unquoted value where text was expected, in the words of the message; None otherwise."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, (datetime.date, datetime.datetime)):
        return "a date"
    return None


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"  # YAML's single-quoted form: a quote is doubled


def _shown_tag(tag: str) -> str:
    """A tag as it is written in the file: tag:yaml.org,2002:int is !!int."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag
