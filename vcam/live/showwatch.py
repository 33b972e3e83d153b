"""The show file's watcher on air: a saved edit of the show (or of a map it names, or one the command line gives)
is checked against the maps in force and applied between blocks, its prompts encoded and its images decoded first."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from vcam.control.controller import Controller
from vcam.control.midi import NO_MIDI
from vcam.control.midirefs import missing_presets
from vcam.control.prompter import Prompter
from vcam.control.show import Show
from vcam.control.yamlproblems import ConfigError
from vcam.errors import described
from vcam.live.fallbacks import FallbackImages
from vcam.live.parts import clock_only
from vcam.live.settings import RunOptions
from vcam.live.showreads import fallbacks_of
from vcam.outspec import rate_text


def show_watcher(opts: RunOptions, model: str, show: Show, controller: Controller, prompter: Prompter, router,
                 fallbacks: FallbackImages, say: Callable[[str], None], given: Sequence = ()):
    """The show file's watcher, and its map files' (a valid edit applies on air, but for a replay's, said not to),
    for a show running `model` (the one its start chose); every preset's prompts are encoded ahead, and its fallback
    images decoded before the edit applies (on the watcher's thread, not under the controller's lock). `given`: the
    GivenMaps of the command line's maps in force (given_maps), --osc-map's the OSC input reads, --midi-map's the
    router has: a save of their files reloads as the show's does. An edit must still fit them, and they the show."""
    from vcam.control.oscmap import missing_presets as missing_osc_presets
    from vcam.control.reload import ShowWatcher, map_changed

    prompter.preload(show.prompts())
    running = [show]  # the show on air, to tell what an edit changed in the sections the command line's maps replace

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
        old_midi = router.mapping if router is not None else None
        old_osc = _osc_in_force(opts, running[0], next((g.mapping for g in given if g.flag == "--osc-map"), None))
        applied = controller.replace_show(new)
        prompter.preload(new.prompts())
        if router is not None:  # --midi-map overrides the show
            # a section taken out takes its controls with it (as an OSC one does): the port gives the clock only
            given_midi = maps.get("--midi-map")
            router.mapping = given_midi if given_midi is not None else new.midi if new.midi is not None \
                else clock_only()
        # an edited section that a map of the command line replaces changes nothing on air: said, where silence
        # read as the edit applied
        unused = [f"{key}: section as saved: {flag} {ref} is used over it" for key, flag, ref, used in
                  (("midi", "--midi-map", opts.midi_map, router is not None),
                   ("osc", "--osc-map", opts.osc_map, opts.osc is not None))
                  if ref and used and getattr(new, key) != getattr(running[0], key)]
        running[0] = new
        try:
            remapped = {"--midi-map": map_changed(old_midi, router.mapping if router is not None else None),
                        "--osc-map": map_changed(old_osc, _osc_in_force(opts, new, maps.get("--osc-map")))}
            maps_said = _maps_said(remapped, given, maps)
        except Exception as e:  # noqa: BLE001 - the new show is on air already: raised, it was said not reloaded
            maps_said = [f"what the save changed in the maps cannot be said ({described(e)})"]
        return applied + maps_said + unused

    return ShowWatcher(opts.show, on_show, say, show=show, given=given, overridden=overridden_by(opts, model),
                       on_first_preset=not opts.prompt)


def _osc_in_force(opts: RunOptions, show: Show, given_osc):
    """The OSC map the OSC input reads (--osc-map's, else the show's), None where there is no OSC input."""
    return None if opts.osc is None else given_osc if given_osc is not None else show.osc


def _maps_said(remapped: dict[str, str], given: Sequence, maps: dict) -> list[str]:
    """The reload's items for the maps in force: a command line's map saved, and what changed in each map (by flag,
    reload.map_changed's words): a remapped knob is said, where "reloaded: N presets" left it unknown."""
    said = [f"{g.flag} {g.ref} as saved" + (f": {remapped[g.flag]}" if remapped[g.flag] else "")
            for g in given if maps.get(g.flag) != g.mapping]
    return said + [f"{kind} map: {remapped[flag]}" for kind, flag in (("MIDI", "--midi-map"), ("OSC", "--osc-map"))
                   if remapped[flag] and flag not in maps]


def overridden_by(opts: RunOptions, model: str) -> dict[tuple[str, str], str]:
    """What the show reads only at its start (reload.AT_START) that the command line gives over the file, by
    (section, key): the flag as given ("--seed 7"), as vcam.live.settings.resolve and midi_setup take them.
    `model`: the model running, as the start chose it (vcam.engine.load.choose_model, a replay's log header):
    chosen again here, a replay of a tiny-model log on a CUDA machine read as krea-14b."""
    from vcam.engine.configs import MODELS

    # a model for trying vcam on a CPU (tiny) plays at its own size unless --size gives one (resolve's own_size_only)
    own = model in MODELS and MODELS[model].random_weights
    flags = {("output", "size"): f"--size {opts.size[0]}x{opts.size[1]}" if opts.size else
             own and f"the {model} model (played at its own size unless --size is given)",
             ("output", "fps"): opts.fps is not None and f"--fps {rate_text(opts.fps)}",
             ("output", "fit"): opts.fit and f"--fit {opts.fit}",
             ("output", "out"): "--out" if opts.outs is not None else "vcam serve (no output unless --out)"
             if opts.serve else None,
             ("defaults", "seed"): opts.seed is not None and f"--seed {opts.seed}",
             ("defaults", "steps"): opts.steps is not None and f"--steps {opts.steps}",
             ("defaults", "input"): opts.input and f"--in {opts.input}",
             ("defaults", "strength"): opts.strength is not None and f"--strength {opts.strength:g}",
             ("defaults", "bias"): opts.bias is not None and f"--bias {opts.bias:g}",
             ("defaults", "input_fit"): opts.input_fit and f"--in-fit {opts.input_fit}",
             ("midi", "port"): ("--midi none" if opts.midi == NO_MIDI else f"--midi {opts.midi}") if opts.midi else
             "vcam serve (the camera's machine opens a port)" if opts.serve else None}
    return {key: flag for key, flag in flags.items() if flag}
