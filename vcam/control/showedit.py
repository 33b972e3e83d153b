"""What a reloaded show changes on air, worked out from the show it replaces, the new one and what is on air
(`ShowEdit.of`): the preset on air followed by name, or kept on air as `Dropped` where the edit took it out; what the
edit changed in it, as the actions that put it on air; the defaults it changed, as the commands that set them. As
data only: the controller makes it (Controller.replace_show), with its lock, its commands and its replies.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from vcam.bias import DEFAULT_BIAS
from vcam.blendname import blend_on_air
from vcam.control.actions import Action, SetBias, SetInput, SetPrompts, SetSeed, SetStrength
from vcam.control.commands import Command, name_key
from vcam.control.show import Defaults, Preset, Show
from vcam.inspec import DEFAULT_STRENGTH
from vcam.words import counted, level_said, listed, name_said, quoted


@dataclass(frozen=True)
class Dropped:
    """The preset on air that a reload took out of the show (or renamed beyond recognition): its picture stays on
    air until another is picked, the status names it as removed, and `next`/`prev` go on from where it stood."""

    # as the file had it last: a later reload that brings it back puts on air only what differs from it
    preset: Preset
    # the presets that followed it and those before it, nearest first (round the list), by the names the show
    # gives them now (a later reload carries them over, as it does the preset on air)
    after: tuple[str, ...]
    before: tuple[str, ...]

    @classmethod
    def of(cls, old: Show, index: int, new: Show) -> Dropped:
        """Preset `index` of `old`, which `new` no longer has."""
        names = [p.name for p in old.presets]
        n = len(names)
        after = tuple(names[(index + k) % n] for k in range(1, n))
        before = tuple(names[(index - k) % n] for k in range(1, n))
        return cls(old.presets[index], _carried(after, old, new), _carried(before, old, new))

    def carried(self, old: Show, new: Show) -> Dropped:
        """The same, its neighbours as a reload from `old` to `new` leaves them."""
        return Dropped(self.preset, _carried(self.after, old, new), _carried(self.before, old, new))

    def neighbour(self, show: Show, step: int) -> int:
        """The preset `next` (step 1) or `prev` (-1) goes to: the nearest in that direction that is still in the
        show, else the first."""
        return next((index for name in (self.after if step > 0 else self.before)
                     if (index := show.named(name)) is not None), 0)


@dataclass(frozen=True)
class Playing:
    """What is on air as a reload finds it (the controller's state, read under its lock)."""

    preset: int | None  # an index into the show replaced; None: a typed prompt, a blend's mix, a dropped preset
    blend: tuple[int, int, float] | None = None  # its presets A, B (indices) and the position
    dropped: Dropped | None = None  # the preset on air that an earlier reload took out
    seed: int = 0
    input: str = "none"
    strength: float = DEFAULT_STRENGTH
    bias: float = DEFAULT_BIAS
    transition: int = 4


@dataclass(frozen=True)
class ShowEdit:
    """What a reload changes on air, in the order it is made: the defaults, then what is on air in the new show,
    then what the edit changed of it, then the fallback image."""

    # the defaults that govern later changes where the file changed them, as the commands that set them (quantize,
    # transition, bpm)
    later: tuple[Command, ...] = ()
    # on air in the new show: a preset (its index there), a blend (indices there), or neither; `dropped`: the
    # preset on air that the edit took out (or keeps out), which stays on air
    preset: int | None = None
    blend: tuple[int, int, float] | None = None
    dropped: Dropped | None = None
    # what the edit does to what is on air, in words, said before what it puts on air
    said: tuple[str, ...] = ()
    # what the edit changed in the preset on air, as it goes on air, in one block
    edits: tuple[Action, ...] = ()
    # the blend on air, blended again where the text of a side changed
    reblend: Command | None = None
    # the stall's picture where the preset on air now gives another (`new_fallback`); None: the show started with
    fallback: str | None = None
    new_fallback: bool = False

    @classmethod
    def of(cls, old: Show | None, new: Show, on_air: Playing) -> ShowEdit:
        """A reload from `old` to `new` with `on_air` on air: presets change, the stream goes on; the current
        preset (or blend) is kept by name, else as renamed: by its place where it puts the same on air, else as the one
        preset under a new name that does (a rename said on the reload's line).

        An edit changes on air only what it changed: of the preset on air, each of its prompts, seed, input,
        strength and bias that the file now says otherwise goes on air, as a command would put it; what the edit
        left alone stays as the operator set it (a seed, a strength or a bias moved live is not put back to the
        preset's), and an edit elsewhere in the file sends nothing. One the edit takes out of the preset stays too,
        as selecting a preset without it keeps what is on air: said, where silence read as the edit applied. A
        blend on air is blended again where the text of either side changed (a blend puts only their prompts on
        air). A preset's transition is read when it is selected, and a new fallback image only replaces the
        stall's picture: neither sends anything. The defaults' transition and quantize govern later changes and
        apply at once, where the file changed them (else what the operator set live stays), and so does its bpm, as
        `bpm N` would set it (a clock leads still); what the show only starts with is left to the next start
        (vcam.control.reload says which).

        A preset on air that the edit takes out (or renames beyond recognition) stays on air until another is
        picked: the status names it as removed, `next` and `prev` go to the preset that followed or preceded it
        (Dropped), and an edit that brings it back by name picks it again, putting on air only what differs from it
        as it was.
        """
        later = _later_changes(old.defaults if old is not None else Defaults(), new.defaults)
        # an edited preset without its own transition blends over the defaults' as this reload leaves them
        transition = next((cmd.args[0] for cmd in later if cmd.name == "transition"), on_air.transition)
        edit = _picked(old, new, replace(on_air, transition=transition))
        before = _fallback_of(old, on_air.preset, on_air.dropped)
        after = _fallback_of(new, edit.preset, edit.dropped)
        return replace(edit, later=later, fallback=after, new_fallback=after != before)


def in_words(action: Action) -> str:
    """An edit's action in words, as the reload's line names it ("prompt (over 2 blocks)", "seed 8")."""
    if isinstance(action, SetPrompts):
        return "prompt" + (f" (over {counted(action.transition, 'block')})" if action.transition else "")
    if isinstance(action, SetSeed):
        return f"seed {action.seed}"
    if isinstance(action, SetInput):
        # a tab in its file's name escaped, as the reply to `input` says it (raw, read as spaces)
        return f"input {name_said(action.spec)}" if action.spec != "none" else "text only"
    if isinstance(action, SetStrength):
        return f"strength {level_said(action.value)}"  # as the reply to `strength` reads it
    if isinstance(action, SetBias):
        return f"bias {level_said(action.value)}"
    raise ValueError(f"a reload's edit makes no {action.op}")


def _picked(old: Show | None, new: Show, on_air: Playing) -> ShowEdit:
    """What is on air in `new`, and what the edit changed of it."""
    if on_air.blend is not None:
        return _blend_kept(old, new, on_air)
    index = on_air.preset
    same = _same_preset(old, index, new)
    if same is None and index is not None and old is not None and index < len(old.presets):
        dropped = Dropped.of(old, index, new)
        return ShowEdit(dropped=dropped, said=(f"preset {quoted(dropped.preset.name)} on air is no longer in the "
                                               "show: it stays on air until you pick another",))
    if on_air.dropped is not None:
        return _back(on_air.dropped, old, new, on_air)
    if same is None:  # a typed prompt stays
        return ShowEdit()
    was, now = old.presets[index].name, new.presets[same].name
    # names compared as the show compares them: one only recased, or given a joiner or losing one, is the same name
    renamed = name_key(was) != name_key(now)
    said = (f"preset {quoted(was)} on air was renamed: preset {same + 1} {quoted(now)}",) if renamed else ()
    said += _left_out(old.presets[index], new.presets[same], same, on_air)
    return ShowEdit(preset=same, said=said, edits=_edits(old.presets[index], new.presets[same], on_air))


def _blend_kept(old: Show, new: Show, on_air: Playing) -> ShowEdit:
    """The blend on air, with both its sides in `new`; else its mix stays on air, told as the prompts it is (a
    dropped preset's)."""
    a, b, x = on_air.blend
    sides = _same_preset(old, a, new), _same_preset(old, b, new)
    if None in sides:
        gone = [quoted(old.presets[i].name) for i, side in zip((a, b), sides) if side is None]
        return ShowEdit(said=(f"{blend_on_air(old.presets[a].name, old.presets[b].name)} on air: {' and '.join(gone)} "
                              f"{'is' if len(gone) == 1 else 'are'} no longer in the show: the mix stays on air until "
                              "you pick another",))
    new_a, new_b = sides
    edited = (old.presets[a].prompts, old.presets[b].prompts) != (new.presets[new_a].prompts,
                                                                  new.presets[new_b].prompts)
    # said as a rename of the preset on air is: the status alone showed the new name, unannounced
    renamed = tuple(f"preset {quoted(was)} of the blend on air was renamed: preset {side + 1} {quoted(now)}"
                    for i, side in ((a, new_a), (b, new_b))
                    if name_key(was := old.presets[i].name) != name_key(now := new.presets[side].name))
    return ShowEdit(preset=_same_preset(old, on_air.preset, new), blend=(new_a, new_b, x), said=renamed,
                    reblend=Command("blend", (new_a + 1, new_b + 1, x)) if edited else None)


def _back(was: Dropped, old: Show | None, new: Show, on_air: Playing) -> ShowEdit:
    """A reload while a preset it took out earlier (`was`) is on air: an edit that brings it back by name picks it
    again (putting on air only what differs from it as it was), else it stays out."""
    if (index := new.named(was.preset.name)) is None:
        return ShowEdit(dropped=was.carried(old, new) if old is not None else was)
    return ShowEdit(preset=index, said=(f"preset {index + 1} {quoted(new.presets[index].name)} on air is in the show "
                                        "again", *_left_out(was.preset, new.presets[index], index, on_air)),
                    edits=_edits(was.preset, new.presets[index], on_air))


def _edits(before: Preset, after: Preset, on_air: Playing) -> tuple[Action, ...]:
    """The preset on air as the file now has it (`after`; `before`: as it had it): what the edit changed in it, as
    the actions that put it on air; the rest stays as it is, and so does what the file changed to what is on air
    already."""
    edits: list[Action] = []
    if after.prompts != before.prompts:
        transition = after.transition if after.transition is not None else on_air.transition
        edits.append(SetPrompts(dict(after.prompts), transition))
    if _changed(after.seed, before.seed, on_air.seed):
        edits.append(SetSeed(after.seed))
    if _changed(after.input, before.input, on_air.input):
        edits.append(SetInput(after.input))
    if _changed(after.strength, before.strength, on_air.strength):
        edits.append(SetStrength(after.strength))
    if _changed(after.bias, before.bias, on_air.bias):
        edits.append(SetBias(after.bias))
    return tuple(edits)


def _left_out(before: Preset, after: Preset, index: int, on_air: Playing) -> tuple[str, ...]:
    """The values of the preset on air that the edit took out of it, in words: as a preset that leaves one out
    keeps what is on air, the value on air stays, which the line says (silence read as the edit applied)."""
    live = (("seed", SetSeed(on_air.seed)), ("input", SetInput(on_air.input)),
            ("strength", SetStrength(on_air.strength)), ("bias", SetBias(on_air.bias)))
    kept = [(key, action) for key, action in live if getattr(before, key) is not None and getattr(after, key) is None]
    if not kept:
        return ()
    keys = listed([key for key, _ in kept], "or")
    values = ", ".join(in_words(action) for _, action in kept)
    return (f"preset {index + 1} {quoted(after.name)} on air no longer gives its {keys}: {values} "
            f"stay{'s' if len(kept) == 1 else ''} on air",)


def _changed(after: object, before: object, live: object) -> bool:
    """A preset's value that the edit changed (None: the preset leaves it out) and that is not on air already."""
    return after is not None and after != before and after != live


def _later_changes(old: Defaults, new: Defaults) -> tuple[Command, ...]:
    """The defaults that govern later changes, where the file changed them (else what the operator set live stays),
    as the commands that set them."""
    changed = []
    if old.quantize != new.quantize:
        changed.append(Command("quantize", (new.quantize,)))
    if old.transition != new.transition:  # what a preset without its own transition blends over
        changed.append(Command("transition", (new.transition,)))
    if new.bpm is not None and old.bpm != new.bpm:  # as `bpm N` would (a clock leads still)
        changed.append(Command("bpm", (new.bpm,)))
    return tuple(changed)


def _same_preset(old: Show | None, index: int | None, new: Show) -> int | None:
    """The index in `new` of preset `index` of `old`: by name, else the one renamed (which `next`, the status and a
    blend fader must still find): the preset at its place that puts the same on air, else the one preset under a
    name `old` did not have that does (renamed and moved); None when it is gone."""
    if old is None or index is None or index >= len(old.presets):
        return None
    if (kept := new.named(old.presets[index].name)) is not None:
        return kept
    same = _on_air(old, index)
    at_place = index < len(new.presets) and _on_air(new, index) == same
    if at_place and old.named(new.presets[index].name) is None:
        return index
    renamed = [i for i, p in enumerate(new.presets) if _on_air(new, i) == same and old.named(p.name) is None]
    if len(renamed) == 1:
        return renamed[0]
    # the one at its place under a name the show had (renamed to a name the edit freed) only where no preset of a
    # new name is it: one the show had that puts the same on air, moved to its place, is not it renamed
    return index if at_place and not renamed else None  # two such: which one it became cannot be told


def _on_air(show: Show, index: int) -> tuple:
    """What selecting a preset puts on air: its prompts, seed, input, strength and bias."""
    p = show.presets[index]
    return p.prompts, p.seed, p.input, p.strength, p.bias


def _carried(names: tuple[str, ...], old: Show, new: Show) -> tuple[str, ...]:
    """The presets of `old` named `names` as `new` names them (one renamed by its new name); those gone left out."""
    carried = []
    for name in names:
        index = _same_preset(old, old.find(name), new)
        if index is not None:
            carried.append(new.presets[index].name)
    return tuple(carried)


def _fallback_of(show: Show | None, index: int | None, dropped: Dropped | None = None) -> str | None:
    """The fallback image a show gives where preset `index` (None: a typed prompt, or `dropped`, the preset a
    reload took out while it was on air) is on air."""
    if show is None:
        return None
    preset = show.presets[index] if index is not None and index < len(show.presets) else dropped.preset if dropped \
        else None
    return (preset.fallback if preset else None) or show.defaults.fallback
