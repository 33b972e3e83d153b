"""The commands around a show: `vcam devices` (MIDI inputs and virtual cameras), `vcam midi learn`, `vcam models`
and `vcam download` (the weights)."""
from __future__ import annotations

import sys

from vcam.errors import VcamError


def cmd_devices(args) -> int:
    from vcam.live.outputs.v4l2loopback import describe_cameras, no_device_help
    from vcam.control.midi import input_names, is_loopback, is_through, placeless

    try:
        names = input_names()
        print("MIDI inputs:" if names else "MIDI inputs: none (is a controller plugged in?)")
        for n in names:
            # on Windows the number rtmidi puts after a name changes as other inputs come and go: the name to copy
            # for --midi is the one without it
            name = placeless(n)
            # Linux lists ALSA's Midi Through with no controller plugged in: copied for --midi, no knob ever acted
            loop = "  (a loopback: it passes on what another program sends, no controller)" if is_loopback(n) else ""
            print((f"  {n}" if name == n else f"  {name}  (input {n[len(name):].strip()})") + loop)
        if names and all(is_loopback(n) for n in names) and not all(is_through(n) for n in names):
            # an IAC bus or a loopMIDI port is made on purpose, most often for a DAW's clock: no plea to plug in
            print("  no hardware controller found; an IAC Driver or loopMIDI port can carry a DAW's MIDI clock to a "
                  "show (vcam run --midi NAME, a part of its name); for knobs and buttons, plug a controller in and "
                  "run vcam devices again")
        elif all(is_loopback(n) for n in names):
            print("  fix: plug the controller in (over USB; one that is class compliant needs no driver) and run "
                  "vcam devices again; vcam run --midi NAME (a part of its name) also waits for one plugged in "
                  "after the show starts")
    except VcamError as e:
        print(f"MIDI inputs: unavailable: {e.message}")  # set out as the virtual cameras' below
        if e.fix:
            print(f"  fix: {e.fix}")
    import platform

    if platform.system() == "Linux":
        for line in describe_cameras():
            print(line)
    else:
        print("virtual camera: OBS Virtual Camera (--out vcam)")
        print(f"  setup: {no_device_help()}")  # macOS's needs OBS 30 and its system extension, not Windows' 28
    return 0


def cmd_midi(args) -> int:
    from vcam.control.midilearn import default_port, learn

    def say(said: str) -> None:
        print(said, file=sys.stderr, flush=True)

    learn(args.midi or default_port(say), lambda line: print(line, flush=True), say, count=args.count)
    return 0


def cmd_models(args) -> int:
    from vcam.engine.configs import MODELS

    for name, spec in MODELS.items():
        where = "random weights" if spec.random_weights else ", ".join(repo for repo, _ in spec.hub_files)
        size = f"{spec.width}x{spec.height}"
        print(f"{name:10s} {size:9s} {spec.description}  [{where}]")  # padded: the descriptions line up
    return 0


def cmd_download(args) -> int:
    from vcam.engine.configs import get_spec
    from vcam.engine.hub import DOWNLOAD_FOLDER_FIX, downloading, from_hub

    spec = get_spec(args.model)
    if spec.random_weights:
        print(f"{spec.name} has random weights: nothing to download")
        return 0
    from vcam.engine.taehv_weights import check_taehv

    check_taehv(args.decoder, None, at_random=False)  # offline with no file: said before the hub's gigabytes
    from vcam.live.signals import StoppedLoading, stop_code, stop_signal, stops_raised
    from vcam.stdio import ignore_stops

    try:
        # SIGTERM (docker stop, a job's time limit) and SIGHUP (an SSH session dropped) stop it as Ctrl-C does: their
        # default ended it without a word, its partial file (tens of GB, never resumed) left taking room. TAEHV's
        # file too: stopped by them, its partial file was left behind.
        with stops_raised():
            try:
                paths = from_hub(spec, folder_fix=DOWNLOAD_FOLDER_FIX)  # its fixes name the command taking --weights
                print(f"weights ready: {paths.transformer.parent} and {paths.vae.parent}")
                if args.decoder == "taehv":
                    from vcam.engine.taehv_weights import find_taehv

                    print(f"TAEHV's weights ready: {find_taehv()}")
            except (KeyboardInterrupt, StoppedLoading):
                if downloading():  # the process leaves at once (cli.main), removing its partial file: a second stop
                    ignore_stops()  # (docker's, a dropped SSH's SIGHUP then SIGTERM) ended it first, the file left
                raise
    except (KeyboardInterrupt, StoppedLoading) as stop:  # tens of GB in: what is kept matters more than the code
        code = stop_code(stop_signal(stop))
        if downloading():  # said as the process leaves, with what becomes of the file in transfer (cli.main)
            return code
        from vcam.engine.hub import hub_bars_drawn
        from vcam.terminal import stopped_line_start

        try:
            # one write, on a wiped row: the progress line's thread, still drawing, ran into a second write's line
            start = stopped_line_start(sys.stderr, hub_bars_drawn)
            sys.stderr.write(f"{start}vcam: download stopped; the files it finished are kept: run `vcam download` "
                             "again to fetch the rest\n")
            sys.stderr.flush()
        except OSError:  # the terminal gone with the SSH session that sent SIGHUP: there is no one to tell
            pass
        return code
    return 0
