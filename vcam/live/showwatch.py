"""The show file's watcher on air: a saved edit of the show (or of a map it names, or one the command line gives)
is checked against the maps in force and applied between blocks, its prompts encoded and its images decoded first."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from vcam.control.controller import Controller
from vcam.control.midirefs import missing_presets
from vcam.control.prompter import Prompter
from vcam.control.show import Show
from vcam.control.yamlcheck import ConfigError
from vcam.live.fallbacks import FallbackImages
from vcam.live.parts import clock_only
from vcam.live.settings import RunOptions
from vcam.live.showreads import fallbacks_of


def show_watcher(opts: RunOptions, show: Show, controller: Controller, prompter: Prompter, router,
                 fallbacks: FallbackImages, say: Callable[[str], None], given: Sequence = ()):
    """The show file's watcher, and its map files' (a valid edit applies on air, but for a replay's, said not to);
    every preset's prompts are encoded ahead, and its fallback images decoded before the edit applies (on the
    watcher's thread, not under the controller's lock). `given`: the GivenMaps of the command line's maps in force
    (given_maps), --osc-map's the OSC input reads, --midi-map's the router has: a save of their files reloads as
    the show's does. An edit must still fit them, and they the show."""
    from vcam.control.oscmap import missing_presets as missing_osc_presets
    from vcam.control.reload import ShowWatcher

    prompter.preload(show.prompts())
    def on_show(new: Show, maps: dict) -> list[str]:
        if opts.replay:  # the log's changes are the show: a reload's (a preset's new text, a transition) are not
            raise ConfigError([f"{opts.show}: not applied while {opts.replay} is replayed, which makes the show the "
                               f"log holds; the edit applies when {opts.show} is run without --replay"])
        # the maps given on the command line stay, so the show must still fit them (and they the show)
        if (midi := maps.get("--midi-map")) is not None and (problems := missing_presets(new, midi)):
            raise ConfigError([f"{opts.show}: --midi-map {opts.midi_map}: {p}" for p in problems])
        if (osc := maps.get("--osc-map")) is not None and (osc_problems := missing_osc_presets(new, osc)):
            raise ConfigError([f"{opts.show}: --osc-map {opts.osc_map}: line {line}: {p}"
                               for _, line, p in osc_problems])
        fallbacks.warm(fallbacks_of(new))
        applied = controller.replace_show(new)
        prompter.preload(new.prompts())
        if router is not None:  # --midi-map overrides the show
            # a section taken out takes its controls with it (as an OSC one does): the port gives the clock only
            given_midi = maps.get("--midi-map")
            router.mapping = given_midi if given_midi is not None else new.midi if new.midi is not None \
                else clock_only()
        return applied + [f"{g.flag} {g.ref} as saved" for g in given if maps.get(g.flag) != g.mapping]

    return ShowWatcher(opts.show, on_show, say, show=show, given=given)
