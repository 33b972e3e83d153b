"""`vcam check`: a show file read and checked as `vcam run` would, its outputs included, and summed up."""
from __future__ import annotations

from vcam.control.commands import SHOWN_CHARS, lands_on
from vcam.errors import VcamError
from vcam.outspec import rate_said
from vcam.words import clipped, counted, quoted, starts_a_character


def cmd_check(args) -> int:
    from vcam.control.presetlines import preset_lines
    from vcam.control.shipped import show_file
    from vcam.control.show import load_show

    path = show_file(args.show)  # a shipped show's name: its file, whose path is said
    show = load_show(path)
    _check_recordings(show)
    print(f"{path}: show {quoted(show.name)}, {counted(len(show.presets), 'preset')}")
    for line in preset_lines(show):
        print(line)
    for line in _cut_prompts(show):
        print(line)
    d, o = show.defaults, show.output
    said = {key: d.written.get(key, value) for key, value in (("seed", d.seed), ("steps", d.steps),
                                                               ("transition", d.transition))}
    print(f"  defaults: seed {said['seed']}, steps {said['steps']}, transition {said['transition']}"
          + (f", fallback {d.fallback}" if d.fallback else "")
          + "".join(f", {k} {v}" for k, v in (("input", d.input), ("strength", d.strength), ("bias", d.bias),
                                              ("input_fit", d.input_fit)) if v is not None)
          + (f", {d.written.get('bpm', f'{d.bpm:g}')} bpm" if d.bpm is not None else "")
          + (f", changes land {lands_on(d.quantize)}" if d.quantize != "off" else ""))
    if any(v is not None for v in (o.size, o.fps, o.fit, o.out)):
        # no size: vcam run picks one for the card (--target-fps), the model's own without CUDA
        size = f"{o.size[0]}x{o.size[1]}" if o.size else "size picked for the card"
        print(f"  output: {size}, {rate_said(o.fps or 30)} fps, {o.fit or 'letterbox'}, {', '.join(o.out or ['vcam'])}")
    if show.midi is not None:
        print(_midi_line(show))
    if show.cues:
        loops = show.cues[-1].loop
        print(f"  cues: {len(show.cues)}{', looping' if loops else ''} (go fires the next, back steps back"
              + ("; after the last, cue 1 again)" if loops else ")"))
        for i, c in enumerate(show.cues, 1):
            print(_cue_line(i, c))
    if show.osc is not None:
        print(f"  osc: {show.osc.describe()}")
    for note in show.notes:
        print(note)
    print("ok")
    return 0


def _midi_line(show) -> str:
    """The show's midi: section summed up: its map, what it maps, and the port it opens."""
    from vcam.control.midimap import maps_offered

    m = show.midi
    knobs, buttons = m.acting()
    # without a port no input opens for the map, which a summary with no word of it hid
    port = f", port {show.midi_port!r}" if show.midi_port else ", no port (give --midi PORT)"
    if not m.maps_something():
        # a section with a port alone read as an inline map of 0 knobs, as if its controls had been lost
        maps = f"map: {maps_offered()} or controls:"
        if not show.midi_port:  # a name: or a channel: alone
            return (f"  midi: no controls mapped and no port: the section does nothing; give it port: (a MIDI clock's "
                    f"tempo), and {maps} for a controller's knobs and buttons")
        return (f"  midi: no controls mapped{port}: the input gives the tempo (MIDI clock) only; map its knobs and "
                f"buttons with {maps} in the midi: section")
    return (f"  midi: {m.name or 'inline map'}: {m.knobs_counted}, {counted(len(buttons), 'button')}"
            + (", program change selects presets" if m.program_to_preset else "") + port)


def _cue_line(number: int, cue) -> str:
    """A cue as the list says it, on one line of at most SUMMARY_COLUMNS as a preset's: an unnamed cue is named by
    its first line, a long prompt's whole (said cut as a message cuts a name), and each command gets a share of the
    line, a long prompt cut and the short commands after it whole (two thousand characters were said in full,
    twice); where the commands' shares overrun the line, the last are counted, not shown (a cue of a dozen
    commands ran to 176 columns)."""
    from vcam.control.presetlines import SUMMARY_COLUMNS, shares

    timing = f" ({cue.timing()})" if cue.timing() else ""
    head = f"  {number:2d}. {_command_cut(cue.name, SHOWN_CHARS + 1)}{timing}: "
    tail = " (then cue 1 again)" if cue.loop else ""
    room = SUMMARY_COLUMNS - len(head) - len(tail)
    for shown in range(len(cue.do), 0, -1):
        more = f"; … ({len(cue.do) - shown} more)" if shown < len(cue.do) else ""
        left = room - len(more) - len("; ") * (shown - 1)
        widths = shares([len(line) for line in cue.do[:shown]], left)
        if sum(widths) <= left:
            break
    else:  # not even the first command's share fits: it gets what is left
        widths = [max(1, left)]
    return head + "; ".join(_command_cut(line, width) for line, width in zip(cue.do, widths)) + more + tail


def _command_cut(line: str, width: int) -> str:
    """`line` cut to `width` characters: an input's from the start of its path, whose end names the file (a clip's
    path cut at its end lost the clip's name, the one part that tells two inputs apart), any other at its end."""
    if not line.startswith("input ") or len(line) <= width or width <= len("input …"):
        return clipped(line, width)
    cut = len(line) - (width - len("input …"))
    while cut < len(line) and not starts_a_character(line, cut):
        cut += 1
    return "input …" + line[cut:]


def _cut_prompts(show) -> list[str]:
    """A line for each prompt the text encoder surely reads only in part: within the characters a preset takes,
    short words and punctuation pass its tokens, which the run alone said, once the show was on air. A cue's or a
    button's `prompt TEXT` is counted as a preset's: the run cuts it alike, on the night."""
    from vcam.engine.configs import TextConfig
    from vcam.prompttext import cut_note, read_as_encoded, surely_cut

    most = TextConfig().max_length  # Krea's and the tiny model's alike
    # as the encoder reads them: `&amp;` is one character, a colour code none
    read = [(who, text, read_as_encoded(text)) for who, text in _prompts_given(show)]
    return [f"  {who}: {cut_note(text, kept, most, at_most=True)}" for who, _, text in read
            if (kept := surely_cut(text, most)) is not None]


def _prompts_given(show) -> list[tuple[str, str]]:
    """Each prompt the show can put on air, with what gives it: its presets', then its cues' and its MIDI and OSC
    buttons' `prompt TEXT` commands."""
    from vcam.live.showreads import cue_commands

    given = [(f"preset {i} {quoted(p.name)}", text) for i, p in enumerate(show.presets, 1) for text in p.prompts]
    given += [(who, cmd.args[0]) for who, cmd in cue_commands(show.path, show) if cmd.name == "prompt"]
    buttons = show.midi.acting()[1] if show.midi is not None else ()
    given += [(_button_label(b), b.command.args[0]) for b in buttons if b.command.name == "prompt"]
    osc = show.osc.buttons if show.osc is not None else ()
    given += [(_button_label(b) + end, cmd.args[0]) for b in osc
              for cmd, end in ((b.command, ""), (b.release, " release")) if cmd is not None and cmd.name == "prompt"]
    return given


def _button_label(button) -> str:
    """A MIDI or OSC button as the operator tells it from the others, as a map reload names it: note 36 on channels
    1 and 2 are two buttons (`midi note 36 ch 2`); a MIDI button on any channel has none said."""
    from vcam.control.oscmap import OscButton

    if isinstance(button, OscButton):
        return f"osc {button.address}"
    control = f"cc {button.cc}" if button.cc is not None else f"note {button.note}"
    return f"midi {control}" + (f" ch {button.channel + 1}" if button.channel is not None else "")


def _check_recordings(show) -> None:
    """The show's outputs, checked as `vcam run` checks them before they open (live/outputs/paths.py) and as its
    file: outputs open (their folder exists and can be written; nothing is written): none writes over a file the
    show reads or over another, and no two share a camera; VcamError naming the show and the output."""
    from functools import partial

    from vcam.live.outputs.paths import check_outputs
    from vcam.live.outputs.recording import Recording
    from vcam.live.showreads import show_reads
    from vcam.live.showwrites import show_output_written
    from vcam.outspec import parse_spec

    width, height = show.output.size or (832, 480)  # even, as every size a show can give; @WxH is the output's own

    def check_file(spec) -> None:
        try:
            # a recording the show is making now is no fault of the show file: an edit is checked mid-show
            Recording(spec.target, spec.width or width, spec.height or height, show.output.fps or 30.0,
                      check_in_use=False)
        except VcamError as e:
            raise VcamError(f"{show.path}: output {spec}: {e.message}", e.fix) from None

    specs = [parse_spec(text) for text in show.output.out or ()]
    named = partial(show_output_written, show.path)
    check_outputs(specs, [named(spec) for spec in specs if spec.kind == "file"], show_reads(show.path, show),
                  check_file=check_file, named=named)
