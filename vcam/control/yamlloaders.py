"""The YAML parsers a show or map is read with, stopped at the limits: composing stops at the first node nested
past MAX_DEPTH (nothing recursive runs deeper) or past MAX_NODES in all (aliases counted each time they repeat a
node). libyaml is used where PyYAML has it: the pure-Python scanner takes seconds per megabyte."""
from __future__ import annotations

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import Node
from yaml.parser import Parser
from yaml.reader import Reader as _StreamReader
from yaml.resolver import Resolver
from yaml.scanner import Scanner


MAX_DEPTH = 32  # lists and mappings inside each other; a show needs 5
# values (scalars, lists and mappings), each counted as often as an alias (*name) repeats it: a show of 1,000
# presets with three weighted prompts each has 20,000; a few lines of anchors can stand for billions
MAX_NODES = 50_000
TOO_DEEP = (f"nested more than {MAX_DEPTH} levels deep (lists and mappings inside each other); a show needs a few: "
            "check the brackets and indentation here")
TOO_MANY = (f"more than {MAX_NODES} values up to here (aliases count each time they are used); a show written by hand "
            "has far fewer: cut it down, or check that this is the file you meant")


# the safe load that builds an offer, with libyaml's parser where PyYAML has it
SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Refused(yaml.YAMLError):
    """The file is past one of the limits, at `mark`."""

    def __init__(self, message: str, mark):
        super().__init__(message)
        self.mark = mark


class LimitedComposer(Composer):
    """PyYAML's composer, stopped at the first node past MAX_DEPTH or MAX_NODES: its recursion is at most MAX_DEPTH
    levels deep, and its work (and the reading's after it) at most MAX_NODES nodes."""

    def __init__(self):
        super().__init__()
        self._depth = 0  # collections open around the node being composed
        self._nodes = 0  # nodes composed so far, each counted as often as aliases repeat it
        self._sizes: dict[int, int] = {}  # nodes in each anchored node, by id(node)
        self.anchored: dict[str, Node] = {}  # each anchor's node, by its name (the last of a name set twice)
        self.aliased: set[str] = set()  # the anchors an alias repeats

    def compose_node(self, parent: Node | None, index: object) -> Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            self.aliased.add(event.anchor)
            node = super().compose_node(parent, index)
            self._count(self._sizes.get(id(node), 1), event)  # 1: inside its own anchor, it repeats nothing
            return node
        collection = isinstance(event, (SequenceStartEvent, MappingStartEvent))
        if collection:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise Refused(TOO_DEEP, event.start_mark)
        before = self._nodes
        self._count(1, event)
        node = super().compose_node(parent, index)
        if collection:
            self._depth -= 1
        if event.anchor is not None:
            self._sizes[id(node)] = self._nodes - before
            self.anchored[event.anchor] = node
        return node

    def _count(self, nodes: int, event) -> None:
        self._nodes += nodes
        if self._nodes > MAX_NODES:
            raise Refused(TOO_MANY, event.start_mark)


class PyLoader(_StreamReader, Scanner, Parser, LimitedComposer, Resolver):
    """PyYAML's own scanner and parser: for a PyYAML built without libyaml."""

    def __init__(self, text: str):
        _StreamReader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        LimitedComposer.__init__(self)
        Resolver.__init__(self)


# the parser a show is composed and offers are tried with; its users look it up here at each call
# (yamlloaders.Loader), so that the tests can read with PyYAML's own scanner throughout
Loader: type = PyLoader
if getattr(yaml, "__with_libyaml__", False):
    from yaml.cyaml import CParser

    class _CLoader(LimitedComposer, CParser, Resolver):
        """libyaml's events (ten times faster than PyYAML's scanner), composed here."""

        def __init__(self, text: str):
            CParser.__init__(self, text)
            LimitedComposer.__init__(self)
            Resolver.__init__(self)

    Loader = _CLoader


class _PyScanning(_StreamReader, Scanner):
    """PyYAML's own scanner, for the tokens alone."""

    def __init__(self, text: str):
        _StreamReader.__init__(self, text)
        Scanner.__init__(self)

    def dispose(self) -> None:
        pass


Scanning: type = _PyScanning
if getattr(yaml, "__with_libyaml__", False):
    Scanning = CParser
