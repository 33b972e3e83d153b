"""Reading OSC datagrams: python-osc loaded, a datagram checked before python-osc reads it, and its messages with
the time tags their bundles give them.

Apart from the input because python-osc's own packet reader puts its clock's now in place of a past or immediate
time tag and sorts, and warns on type tags it does not know: what a bundle's tag says is read here instead.
"""
from __future__ import annotations

import struct
from collections.abc import Iterator
from types import ModuleType

TYPE_TAGS = set("ihfdsbrmtTFN[]")  # what python-osc reads; it logs a warning of its own for anything else


def load_pythonosc() -> ModuleType:
    """The module that reads and writes OSC packets; ModuleNotFoundError naming `pythonosc` where the `osc` extra
    is not installed (the command line turns it into the install command)."""
    import pythonosc.osc_packet
    import pythonosc.udp_client

    return pythonosc


def timed_messages(data: bytes) -> list[tuple[float | None, object]]:
    """The messages of a packet, each with the time tag it is to act at (seconds since 1970; None: at once), in the
    order they were written. Read here rather than by python-osc's OscPacket, which puts its own clock's now in
    place of a tag past or immediate, and sorts."""
    from pythonosc.osc_bundle import OscBundle
    from pythonosc.osc_message import OscMessage

    if OscBundle.dgram_is_bundle(data):
        return list(_in_bundle(OscBundle(data), None))
    if not OscMessage.dgram_is_message(data):
        raise ValueError("not an OSC message or bundle")
    return [(None, OscMessage(data))]


def _in_bundle(bundle, outer: float | None) -> Iterator[tuple[float | None, object]]:
    """A bundle's messages with its time tag; a bundle inside another acts no sooner than the one around it (OSC
    1.0 has its tag no earlier)."""
    from pythonosc.osc_bundle import OscBundle
    from pythonosc.parsing.osc_types import IMMEDIATELY

    tag = None if bundle.timestamp == IMMEDIATELY else bundle.timestamp
    if outer is not None and (tag is None or tag < outer):
        tag = outer
    for content in bundle:
        if isinstance(content, OscBundle):
            yield from _in_bundle(content, tag)
        else:
            yield tag, content


def readable(data: bytes) -> bool:
    """Whether python-osc reads `data` without a warning of its own: every type tag one it knows, in a message
    or in each element of a (nested) bundle. Whatever else is wrong, it raises on."""
    if data.startswith(b"#bundle\x00"):
        at = 16
        while at + 4 <= len(data):
            (size,) = struct.unpack(">i", data[at:at + 4])
            if size < 0 or not readable(data[at + 4:at + 4 + size]):
                return False
            at += 4 + size
        return True
    end = data.find(b"\x00")
    if end < 0:
        return False
    tags = _type_tags(data, end)
    # no type tags: a message without values, or garbage python-osc refuses itself
    return tags is None or set(tags[1:]) <= TYPE_TAGS


def unknown_tags(data: bytes) -> tuple[str, str] | None:
    """For a lone message with a type tag OSC 1.0 and python-osc do not know: its address and its type tags, as the
    line refusing it says them (it was said to be no OSC message at all, which sent the sender looking for the
    wrong fault). None for anything else."""
    end = data.find(b"\x00")
    if data.startswith(b"#bundle") or not data.startswith(b"/") or end < 0:
        return None
    tags = _type_tags(data, end)
    if tags is None or set(tags[1:]) <= TYPE_TAGS:
        return None
    return data[:end].decode("latin-1"), tags


def _type_tags(data: bytes, end: int) -> str | None:
    """A message's type tag string (",if"), after its address that ends at `end`; None where it has none."""
    tags_at = (end // 4 + 1) * 4  # the address is padded to a multiple of 4 bytes
    if tags_at >= len(data) or data[tags_at:tags_at + 1] != b",":
        return None
    tags_end = data.find(b"\x00", tags_at)
    return data[tags_at:tags_end if tags_end >= 0 else len(data)].decode("latin-1")
