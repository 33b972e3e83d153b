"""What a reloaded show changes on air (Controller.replace_show, ShowEdit.replace), against the show it replaces:
the preset on air followed by name, or kept on air as `Dropped` where the edit took it out.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vcam.control.actions import Origin, SetBias, SetInput, SetSeed, SetStrength
from vcam.control.commands import Command
from vcam.control.show import Defaults, Preset, Show

if TYPE_CHECKING:
    from vcam.control.controller import Controller


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
        for name in self.after if step > 0 else self.before:
            try:
                return show.find(name)
            except KeyError:
                continue
        return 0


class ShowEdit:
    """The controller's reload: it reads and changes the controller's state under its lock, and puts what the edit
    changed on air through its commands (`_apply`) and its gathering of a command's actions (`_submit`), as a typed
    command would."""

    def __init__(self, controller: Controller):
        self.ctl = controller

    def replace(self, show: Show) -> list[str]:
        """A reloaded show: presets change, the stream goes on; the current preset (or blend) is kept by name.
        Returns what the edit changed on air, in words ("preset 2 'ocean' on air: prompt (over 2 blocks)",
        "transition 0 for later changes"), for the reload's line.

        An edit changes on air only what it changed: of the preset on air, each of its prompts, seed, input,
        strength and bias that the file now says otherwise goes on air, as a command would put it; what the edit
        left alone stays as the operator set it (a seed, a strength or a bias moved live is not put back to the
        preset's), and an edit elsewhere in the file sends nothing. A blend on air is blended again where the text
        of either side changed (a blend puts only their prompts on air). A preset's transition is read when it is
        selected, and a new fallback image only replaces the stall's picture: neither sends anything. The
        defaults' transition and quantize govern later changes and apply at once, where the file changed them
        (else what the operator set live stays), and so does its bpm, as `bpm N` would set it (a clock leads
        still); what the show only starts with is left to the next start
        (vcam.control.reload says which).

        A preset on air that the edit takes out (or renames beyond recognition) stays on air until another is
        picked: the status names it as removed, `next` and `prev` go to the preset that followed or preceded it
        (Dropped), and an edit that brings it back by name picks it again. What the cue list did is said too
        (vcam.control.cues.CueList.replace).
        """
        ctl = self.ctl
        with ctl._lock:
            old, st = ctl.show, ctl.state
            old_index, blend, was = st.preset, st.blend, ctl._dropped
            applied = self._later_changes(old.defaults if old else Defaults(), show.defaults)
            index = _same_preset(old, old_index, show)
            sides = (_same_preset(old, blend[0], show), _same_preset(old, blend[1], show)) if blend else None
            dropped = None
            if sides is None and index is None and old_index is not None and old is not None and \
                    old_index < len(old.presets):
                dropped = Dropped.of(old, old_index, show)
                ctl._pick(None, None, show, dropped)
                applied.append(f"preset {dropped.preset.name!r} on air is no longer in the show: it stays on air "
                               "until you pick another")
            elif sides is None and was is not None:
                dropped = self._back(was, old, show, applied)
            elif sides is None:
                ctl._pick(index, None, show)
                if index is not None:
                    applied += self._edited(old.presets[old_index], show.presets[index], index)
            elif None in sides:  # a side is gone: its mix stays on air, told as the prompts it is (a dropped preset's)
                ctl._pick(None, None, show)
                gone = [repr(old.presets[i].name) for i, side in zip(blend[:2], sides) if side is None]
                applied.append(f"blend {old.presets[blend[0]].name} / {old.presets[blend[1]].name} on air: "
                               f"{' and '.join(gone)} {'is' if len(gone) == 1 else 'are'} no longer in the show: "
                               "the mix stays on air until you pick another")
            else:
                a, b = sides
                ctl._pick(index, (a, b, blend[2]), show)
                if (old.presets[blend[0]].prompts, old.presets[blend[1]].prompts) != (show.presets[a].prompts,
                                                                                      show.presets[b].prompts):
                    reply = ctl._apply(Command("blend", (a + 1, b + 1, blend[2])), "reload", at_once=True)
                    applied.append(f"{reply} with the new text")
            applied += self._new_fallback(_fallback_of(old, old_index, was), _fallback_of(show, st.preset, dropped))
        if ctl.cues is not None:  # outside the lock: a timed cue may be waiting for it to run its commands
            said = ctl.cues.replace(show.cues)
            if said:
                applied.append(said)
        ctl._tell()  # the preset list changed too
        return applied

    def _back(self, was: Dropped, old: Show | None, show: Show, applied: list[str]) -> Dropped | None:
        """A reload while a preset it took out earlier is on air: an edit that brings it back by name picks it again
        (putting on air only what differs from it as it was), else it stays out (called with the lock held). The
        one still out, if it is."""
        ctl = self.ctl
        try:
            index = show.find(was.preset.name)
        except KeyError:
            dropped = was.carried(old, show) if old is not None else was
            ctl._pick(None, None, show, dropped)
            return dropped
        ctl._pick(index, None, show)
        applied.append(f"preset {index + 1} {show.presets[index].name!r} on air is in the show again")
        applied += self._edited(was.preset, show.presets[index], index)
        return None

    def _edited(self, before: Preset, after: Preset, index: int) -> list[str]:
        """The preset on air as the file now has it (`after`, at `index`; `before`: as it had it): what the edit
        changed in it goes on air, in one block as a command's changes do, the rest stays as it is (called with the
        lock held). What went on air, in words, as one item; none where the edit changed nothing on air."""
        with self.ctl._gathering(None):
            return self._edits(before, after, index)

    def _edits(self, before: Preset, after: Preset, index: int) -> list[str]:
        ctl = self.ctl
        st, origin = ctl.state, Origin(str(Command("preset", (index + 1,))), "reload")
        done: list[str] = []
        if after.prompts != before.prompts:
            transition = after.transition if after.transition is not None else st.transition
            done.append(ctl._set_prompts(after.prompts, transition, origin, "prompt"))
        if after.seed is not None and after.seed != before.seed and after.seed != st.seed:
            st.seed = after.seed
            ctl._submit(SetSeed(after.seed), origin)
            done.append(f"seed {after.seed}")
        if after.input is not None and after.input != before.input and after.input != st.input:
            try:
                ctl._check_input(after.input)
            except ValueError as e:  # the rest of the edit goes on air; the input on air stays
                done.append(f"its input is not used: {e}")
            else:
                st.input = after.input
                ctl._submit(SetInput(after.input), origin)
                done.append(f"input {after.input}")
        if after.strength is not None and after.strength != before.strength and after.strength != st.strength:
            st.strength = after.strength
            ctl._submit(SetStrength(after.strength), origin)
            done.append(f"strength {after.strength:g}")
        if after.bias is not None and after.bias != before.bias and after.bias != st.bias:
            st.bias = after.bias
            ctl._submit(SetBias(after.bias), origin)
            done.append(f"bias {after.bias:g}")
        return [f"preset {index + 1} {after.name!r} on air: {', '.join(done)}"] if done else []

    def _new_fallback(self, old: str | None, new: str | None) -> list[str]:
        """A reload's fallback image where it changed: the stall's picture only, what is on air stays."""
        if new == old:
            return []
        self.ctl.on_fallback(new)
        return [f"fallback {os.path.basename(new)}" if new else "the fallback image the show started with"]

    def _later_changes(self, old: Defaults, new: Defaults) -> list[str]:
        """A reload's defaults that govern later changes, applied where the file changed them (called with the lock
        held); what was applied, in words."""
        ctl = self.ctl
        applied = []
        if old.quantize != new.quantize:  # else a live `quantize` stays
            ctl.quantize = new.quantize
            if new.quantize == "off":
                released = ctl._release()
                said = f", and what waited for the beat lands now: {released}" if released else ""
            else:
                waiting = ctl._waiting()
                said = f", and what waits for the beat keeps its boundary: {waiting}" if waiting else ""
            applied.append(f"quantize {new.quantize}{said}")
        if old.transition != new.transition:  # what a preset without its own transition blends over
            ctl._apply(Command("transition", (new.transition,)), "reload", at_once=True)
            applied.append(f"transition {new.transition} for later changes")
        if new.bpm is not None and old.bpm != new.bpm and ctl.tempo is not None:  # as `bpm N` would (a clock leads)
            applied.append(ctl._apply(Command("bpm", (new.bpm,)), "reload", at_once=True))
        return applied


def _same_preset(old: Show | None, index: int | None, new: Show) -> int | None:
    """The index in `new` of preset `index` of `old`: by name, else the preset at its place that puts the same on
    air (the one renamed, which `next`, the status and a blend fader must still find); None when it is gone."""
    if old is None or index is None or index >= len(old.presets):
        return None
    try:
        return new.find(old.presets[index].name)
    except KeyError:
        pass
    renamed = index < len(new.presets) and _on_air(new, index) == _on_air(old, index)
    return index if renamed else None


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
