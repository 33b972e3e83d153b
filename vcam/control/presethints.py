"""What the refusal of a preset's name offers in its place (`lazer tunnel`: 'laser tunnel'; `ocean ＠ｂａｒ`: preset
ocean @bar; `city ocean`: the blend of the two), one rule for a show's presets (vcam.control.show.Show.find) and for
the server's as vcam cam knows them by name (vcam.remote.controller.OfferedPresets): written twice, vcam cam's copy
of the order drifted from the console's, and offered a blend where the console offered the name meant."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from vcam.control.commands import (SHOWN_CHARS, comment_hint, glued_timing_meant, listed_meant, name_key,
                                   number_like, preset_index, ref_read, two_presets_meant, wide_timing_meant)
from vcam.control.linesource import line_source
from vcam.control.replies import Hint
from vcam.words import clipped, nearest, quoted, spelled_number, width_folded

MAX_STARTS = 6  # the presets named where a name typed begins several


class PresetNames:
    """Presets by name, in order (`names`), and by name_key (`by_name`, as vcam.control.commands.keyed_names makes
    it), as a refusal reads them."""

    def __init__(self, names: Sequence[str], by_name: Mapping[str, int]):
        self.names, self.by_name = names, by_name

    def found(self, read: str | int) -> int | None:
        """The index of the preset named or numbered `read`, as `preset READ` picks it; None where none is."""
        return preset_index(len(self.names), self.by_name, read)

    def blend_meant(self, ref: str) -> str | None:
        """`preset city ocean`, `preset city & ocean`: the blend line of the two presets the words name."""
        return two_presets_meant(ref, self.found)

    def index(self, ref: str) -> int | None:
        """The index of the preset `preset REF` picks, read as that line reads it (`"misty forest"`, `'laser
        tunnel’`: the name in its quotes); None where it names none. Never `ref` as it stands: a preset named
        `'quoted'`, quotes and all, is not what `preset 'quoted'` picks, so that line is not offered for it."""
        read = ref_read("preset", ref)
        return self.found(read) if read is not None else None

    def takes(self, ref: str) -> bool:
        """Whether `ref`, typed after preset, names one of the presets (by number or name, in quotes too)."""
        number = ref.isdecimal() and 1 <= int(ref) <= len(self.names)
        return number or self.index(ref) is not None

    def before_comment(self, ref: str) -> int | None:
        """The index of the preset `ref` names before a # or ＃ set apart by a space (`laser tunnel ＃ x`), if any."""
        found = re.search(r"\s[#＃]", ref)
        return None if found is None else self.index(ref[:found.start()].strip())


def preset_hint(ref: str, presets: PresetNames) -> Hint:
    """`lazer tunnel` → (did you mean 'laser tunnel'?): a mistyped name (a letter off, a space too many, the start of
    one name only) answered with the preset meant; a number that is not a preset's (`-1`, `1.5`) with how numbers
    go."""
    count = len(presets.names)
    # `２ ＠ｂａｒ`, `laser tunnel ＠ｂａｒ`
    if (line := wide_timing_meant("preset", ref, count, lambda head: presets.by_name.get(name_key(head))
                                  is not None)) is not None:
        return Hint(line)
    # `ocean@bar`, typed in a hurry: the timing read as part of the name
    if (line := glued_timing_meant("preset", ref, lambda head: presets.found(head) is not None)) is not None:
        return Hint(line, why="a timing is set apart by a space")
    listed = listed_meant(ref, presets.names)
    if isinstance(listed, str):
        return Hint(quoted(listed))
    if listed is not None and 1 <= listed <= count:
        return Hint(str(listed), after=" a preset's number is written alone")
    if listed is not None or number_like(ref):  # `preset ２．０` too, where no preset is named that
        return Hint(why=f"a preset's number is a whole number from 1 to {count}") if count else Hint()
    return _name_hint(ref, presets)


def _name_hint(ref: str, presets: PresetNames) -> Hint:
    """preset_hint's hint for a name that reads as no number."""
    by_name = presets.by_name
    # `ｏｃｅａｎ`, typed in an input method's full-width mode: its letters are the ASCII ones they are drawn as
    typed = " ".join(width_folded(name_key(ref)).split())
    # `cafe` for café, typed on a keyboard without the accent: a letter off in a short name is no near match
    bare = [name for name in by_name if typed and _unaccented(name) == _unaccented(typed)]
    starts = [name for name in by_name if typed and name.startswith(typed)]
    meant = bare[0] if len(bare) == 1 else starts[0] if len(starts) == 1 else nearest(typed, by_name, cutoff=0.8)
    # in a show's or map's line a # is YAML's to read: one that reached the name was in quotes or a block
    said = comment_hint("preset", ref, lambda line: presets.takes(line.partition(" ")[2]),
                        console=not line_source().in_a_file)
    # `laser tunnel ＃ x`: the name before a comment is the near one, so the comment is what went wrong
    if meant and said.said() and by_name[meant] == presets.before_comment(ref):
        return said
    if meant:
        return Hint(quoted(presets.names[by_name[meant]]))
    if starts:  # `neon`, the start of two names: each with its number, the short form to type
        named = ", ".join(f"{by_name[name] + 1} {quoted(presets.names[by_name[name]])}"
                          for name in starts[:MAX_STARTS])
        more = ", …" if len(starts) > MAX_STARTS else ""
        begun = quoted(clipped(ref.strip(), SHOWN_CHARS + 1))
        return Hint(why=f"{len(starts)} presets start with {begun}: {named}{more}; give more of the name, or the "
                        "number")
    # `preset three`: after the names, a name near it being the one meant (`one` of a show's `one love`)
    if (spelled := spelled_number(ref)) is not None and 1 <= spelled <= len(presets.names):
        return Hint(str(spelled))
    if not said.said() and (blend := presets.blend_meant(ref)) is not None:
        return Hint(blend, why="preset picks one preset; to mix two")
    return said


def _unaccented(name: str) -> str:
    """`name` without its accents (café: cafe), as a keyboard without them types it."""
    return "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
