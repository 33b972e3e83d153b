"""What a flag's value may be: the `type=` of the command line's options, each turning the text given into the
value vcam uses or refusing it with an argparse error that says what is wanted (a size, a number within limits, an
input, a MIDI port, an OSC address). Every subcommand's parser takes its values from here, so one flag's rule is
the same wherever the flag appears; cmdline/parser.py, apart from them, reads as the list of options and what each
does.
"""
from __future__ import annotations

import argparse
import math
import os
import re
import shlex
import socket
from typing import NoReturn
from urllib.parse import urlsplit

from vcam.bias import check_bias
from vcam.control.commands import CommandError, checked_prompt
from vcam.control.numberreadings import number_meant, whole_meant
from vcam.control.wholenumbers import based_int, based_meant
from vcam.inspec import FLAG, MeantError, InputSpec, check_strength, missing_said, parse_input
from vcam.remote import urls
from vcam.remote.addresses import zone_unescaped
from vcam.outspec import MAX_FPS, MIN_FPS, fraction_fps
from vcam.sizes import (check_output_size, check_size, checked_size, no_size, not_a_size,
                         width_height as read_size)


def width_height(text: str, check=None) -> tuple[int, int]:
    """`text` as WIDTHxHEIGHT; a size meant in another form is offered where `check` (which raises ValueError for
    a size the option refuses) takes it, else said with why it is refused (vcam.sizes.not_a_size)."""
    try:
        return read_size(text)
    except ValueError:
        raise argparse.ArgumentTypeError(not_a_size(text, check)) from None


def frame_size(text: str) -> tuple[int, int]:
    """A generated frame size (vcam.sizes.check_size)."""
    if no_size(text):  # as a show's size: 0x0 is said: the rule's "the nearest is 16x16" offered a size no show runs at
        raise argparse.ArgumentTypeError("size 0x0 is no size; leave --size out for its default, or give one, as in "
                                         "--size 832x480")
    width_height(text, check_size)  # not WIDTHxHEIGHT: said, with the size meant
    try:
        return checked_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def output_size(text: str) -> tuple[int, int]:
    """An output's size (vcam cam's camera): any even size (vcam.sizes.check_output_size), said as vcam run's --size
    says a frame size: 0x0 as no size, a minus as the slip, and 720p, which no size of the model's is, as video's
    1280x720."""
    if no_size(text):
        from vcam.remote.client import DEFAULT_SIZE  # on this error alone: it brings the camera's side with it

        raise argparse.ArgumentTypeError("size 0x0 is no size; leave --size out for its default "
                                         f"({DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]}), or give one, as in --size 1280x720")
    try:
        read_size(text)
    except ValueError:
        raise argparse.ArgumentTypeError(not_a_size(text, check_output_size, video=True)) from None
    try:
        return checked_size(text, check_output_size)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def listen_host(text: str) -> str:
    """vcam serve's --host: an address as a URL writes it is taken ([::1], the brackets copied from ws://[::1]:8765,
    was not seen as loopback and asked for a token); one with its port is refused with the two flags to give (the
    lookup failed on it as a name), and one with its zone written %25eth0 where only %eth0 is this machine's."""
    return _zone_checked(_listen_host(text), text)


def _listen_host(text: str) -> str:
    host = text.strip()
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", host):
        # ws://0.0.0.0:8765, copied from vcam cam's line: first told to set a token, then that the name is unknown
        _listen_host_of_url(text, host)
    if host.startswith("["):  # [::1] or [::1]:8765
        inner, bracket, rest = host[1:].partition("]")
        if rest.startswith(":") and rest[1:].isdigit():
            raise argparse.ArgumentTypeError(f"{text!r} holds a port: give --host {_offered_host(inner)} "
                                             f"--port {_port(rest[1:])}")
        if not bracket or rest:
            raise argparse.ArgumentTypeError(f"{text!r} is no address: an IPv6 one in brackets ends with them, "
                                             "as [::1] (or give it without: ::1)")
        host = inner
    elif host.count(":") == 1 and host.partition(":")[2].isdigit():  # 0.0.0.0:8765, gpu-box:8765
        name, _, port = host.partition(":")
        raise argparse.ArgumentTypeError(f"{text!r} holds a port: give --host {_offered_host(name or '127.0.0.1')} "
                                         f"--port {_port(port)}")
    if not host:
        raise argparse.ArgumentTypeError("give an address of this machine: 127.0.0.1 (through an SSH tunnel), 0.0.0.0 "
                                         "(every address, with --token) or :: (IPv6 too)")
    return host


def _zone_checked(host: str, text: str) -> str:
    """`host` (read from `text`), refused where its zone is written as an address writes it and only the bare form
    names one of this machine's: it was taken, and its lookup failed once the model had loaded."""
    if (fixed := _bare_zone(host)) is not None:
        raise argparse.ArgumentTypeError(f"{text!r}: the lookup takes its zone for one named "
                                         f"{host.partition('%')[2]}, which this machine has not (%25 is how a web "
                                         f"address writes a %): give --host {fixed}")
    return host


def _bare_zone(host: str) -> str | None:
    """`host`, an IPv6 address with its zone written as an address writes it (fe80::1%25eth0, RFC 6874's), with a
    bare % (fe80::1%eth0), where only that form names a zone of this machine; None for any other (one whose zone
    this machine has as written, an interface named 25eth0 or index 25, binds as it did). Read without a name
    server: an address with a zone is no name."""
    fixed = zone_unescaped(host)
    return fixed if fixed != host and not _numeric_host(host) and _numeric_host(fixed) else None


def _numeric_host(host: str) -> bool:
    """Whether the system reads `host` as an address, its zone included, without a name server (AI_NUMERICHOST): a
    zone's two forms are weighed here, as the command line is read, where a lookup of a name could stall it."""
    try:
        socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (OSError, UnicodeError, ValueError):
        return False
    return True


def _listen_host_of_url(text: str, url: str) -> NoReturn:
    """The refusal of an address written as vcam cam's (ws://HOST:PORT), said as vcam cam says it (its password and
    token hidden), with the flags that say it to vcam serve where its host and port are ones they take."""
    flags = _listen_flags(url)
    raise argparse.ArgumentTypeError(f"{urls.said_url(text)!r} is an address vcam cam connects to; --host takes this "
                                     "machine's address alone" + (f": give {flags}" if flags else
                                                                  ", --port its port"))


def _listen_flags(url: str) -> str | None:
    """--host and --port as they say `url`'s host and port, read as vcam cam reads it, or None where it names no
    host and port that they take (ws://h:99999, ws://u:p/w@h: a guess offered there was refused in turn)."""
    meant = "ws://" + url.partition("://")[2]
    meant = urls.unbracketed_ipv6(meant) or meant  # ws://::1:8765 is dialled as [::1]:8765
    if "@" not in meant.partition("#")[2]:  # vcam cam refuses a # (its library does), which --host never reads
        meant = meant.partition("#")[0]
    try:
        urls.check_url(meant)
        parts = urlsplit(meant)
        host = _listen_host(parts.hostname or "")  # its zone as an address writes it: offered bare
    except (ValueError, argparse.ArgumentTypeError):
        return None
    if host.startswith("-"):  # no host name starts so, and --host -h typed back is read as -h (help)
        return None
    return f"--host {_offered_host(host)}" + (f" --port {parts.port}" if parts.port else "")


def _offered_host(host: str) -> str:
    """`host` as --host is to be given it: an IPv6 zone as an address writes it (fe80::1%25eth0, RFC 6874's) as the
    system reads it (fe80::1%eth0: a zone 25eth0 is looked for, and the lookup fails); ADDRESS for one that starts
    with a - (no host name does, and typed back it is read as a flag)."""
    if host.startswith("-"):
        return "ADDRESS"
    return zone_unescaped(host)


def _port(text: str) -> str:
    # isdigit() takes "²", which --port refuses: a port that is no number is named by what to give
    return text if text.isdecimal() else "PORT (1 to 65535)"


def whole(text: str) -> int:
    """A whole number in decimal digits, or in hex or binary as a show file's YAML and a typed command read it:
    `--seed 0x10` is the seed a show's `seed: 0x10` and a typed `seed 0x10` give, where it was refused."""
    return based_int(text)


def within(kind, lo: float, hi: float = math.inf, *, above: bool = False):
    """A number from `lo` (more than it, with `above`) to `hi`, finite: nan, inf or a seed past 64 bits would
    only fail later, after minutes of loading or in a loop that never ends."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            # `--fps 29,97`, `--seed 1e3`: offered as `--strength 0,5` and a typed `transition 1e3` are
            meant = _meant(text, kind, lo, hi, above)
            number = 'a whole number' if kind in (int, whole) else 'a number'
            raise argparse.ArgumentTypeError(f"{text!r} is not {number}"
                                             f"{meant}") from None
        if not math.isfinite(value) or value < lo or value > hi or (above and value == lo):
            shown = (lambda v: str(int(v))) if kind in (int, whole) else (lambda v: f"{v:g}")
            limits = f"more than {shown(lo)}" if above else f"at least {shown(lo)}"
            limits += f" and at most {shown(hi)}" if hi < math.inf else ""
            # "inf must be more than 0" would be wrong: say what is asked for instead
            said = f"{text} is not a finite number: give one" if not math.isfinite(value) else f"{text} must be"
            raise argparse.ArgumentTypeError(f"{said} {limits}")
        return value

    return parse


def _meant(text: str, kind, lo: float, hi: float, above: bool) -> str:
    """" (did you mean 29.97?)" for a number `within` refused as written that was meant as one it takes (a decimal
    comma, a unit after it, a whole number as 1e3 or 2,000); "" where there is none."""
    if kind in (int, whole):
        lo, hi = int(lo), int(min(hi, 2 ** 63))
        based = based_meant(text.strip(), lo, hi)  # `--seed 0x`: its 0 was offered, as `seed 0x` typed was
        return whole_meant(text.strip(), lo, hi) if based is None else based
    return number_meant(text.strip(), lambda v: math.isfinite(v) and lo <= v <= hi and not (above and v == lo),
                        share=False)


def target_fps(text: str) -> float:
    """The generated frames/s a show's size is chosen to keep (vcam run's --target-fps, scripts/gpu_table.py's)."""
    return within(float, 0.1, 240)(text)


def frame_rate(text: str) -> float:
    """A camera frame rate (--fps): a number, or a fraction as ffmpeg writes NTSC's 29.97 (outspec.fraction_fps)."""
    if "/" not in text:
        return within(float, MIN_FPS, MAX_FPS)(text)
    try:
        return fraction_fps(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def positive(kind):
    return within(kind, 0, above=True)


_UNITS = {"s": 1, "m": 60, "h": 3600}


_UNIT_PART = re.compile(r"(\d+(?:\.\d+)?)([hms])")


def _with_units(t: str) -> float:
    """Seconds in `10m`, `-5m`, `1.5h`, or in units from the largest down, `1h30m`, `2m30s`, as a show's length is
    written by hand (refused, the 1:30 the refusal named read as a minute and a half); ValueError otherwise."""
    try:
        return float(t[:-1]) * _UNITS[t[-1]]
    except (ValueError, KeyError):
        pass
    parts = _UNIT_PART.findall(t)
    units = "".join(unit for _, unit in parts)
    if not parts or "".join(n + u for n, u in parts) != t or units not in ("hm", "hs", "ms", "hms"):
        raise ValueError(t)
    return sum(float(n) * _UNITS[u] for n, u in parts)


_SPACED_UNIT = re.compile(r"(\d)\s+([hms])(?![a-z])")


def _unspaced(t: str) -> str:
    """`1h 30m`, `2m 30s`, `90 s`, `1 h 30 m` as written without their spaces (a spoken length, quoted in a shell);
    ValueError where a word has no unit of its own (`1h 30`: 30 of what? `1 30`), which stays refused."""
    words = _SPACED_UNIT.sub(r"\1\2", t).split()
    if len(words) > 1 and any(word[-1:] not in _UNITS for word in words):
        raise ValueError(t)
    return "".join(words)


def duration(text: str) -> float:
    """Seconds, more than 0: `90`, or as a show is timed by hand, `90s`, `10m`, `1h`, `1h30m` (or `1h 30m`), `1:30`
    (as a cue's at:) or `1:00:00`, each of which `--duration 10m` refused as "not a number"."""
    t = text.strip().lower()
    try:
        if ":" not in t and t[-1:] not in _UNITS:
            float(t)
            return positive(float)(text)  # its own limits said as written
        if ":" in t:
            parts = [float(p) for p in t.split(":")]
            if len(parts) > 3 or any(p < 0 for p in parts) or any(p >= 60 for p in parts[1:]):
                raise ValueError
            seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
        else:
            seconds = _with_units(_unspaced(t))
    except ValueError:
        meant = number_meant(t, lambda v: math.isfinite(v) and v > 0, share=False) if "," in t else ""
        raise argparse.ArgumentTypeError(f"{text!r} is not a length of time{meant}: give seconds (90), or 90s, 10m, "
                                         "1h, 1:30 (a minute and a half), 1h30m or 1:30:00") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be a finite length of time more than 0")
    return seconds


def input_source(text: str) -> str:
    """An input (vcam.inspec) in its canonical form, a file's or image's path made whole against the working
    folder, so that a control log keeps one its replay finds from anywhere."""
    try:
        spec = parse_input(text)
    except MeantError as e:  # said as the shell takes it: a path with spaces in quotes
        said = f"{FLAG} {shlex.quote(str(e.meant))}"
        raise argparse.ArgumentTypeError(missing_said(e.meant) or e.as_said(said)) from None
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if spec.kind in ("file", "image"):
        spec = InputSpec(spec.kind, os.path.abspath(os.path.expanduser(spec.target)))
    return str(spec)


def given(text: str, refusal: str) -> str:
    """`text`, refused with `refusal` where it is blank: an unset variable in a script (`--replay "$LOG"`) reaches
    vcam as "", which an option took as left out, silently (no log written, a live show in place of a replay)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(refusal)
    return text


UNSET = "(an unset variable in a script?)"


def prompt(text: str) -> str:
    """A prompt with some text: an empty one (an unset variable in a script) played the default prompt without a
    word, and one of spaces was refused only once the model had loaded."""
    given(text, "the prompt is empty: give the text to generate, or leave out --prompt (the show's first "
                "preset, else a default prompt)")
    try:  # as a typed `prompt` is: `&nbsp;` was refused only once the model had loaded, without naming --prompt
        return checked_prompt(text)
    except CommandError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def user_path(text: str) -> str:
    """A path with `~` made the home folder: `--log-controls=~/show.jsonl` reaches vcam as written (the shell
    expands `~` only at a word's start)."""
    return os.path.expanduser(given(text, f"the path is empty {UNSET}: give the path, or leave the option out"))


def token(text: str) -> str:
    """--token's secret: an empty one (`--token "$SECRET"` unset) was taken as left out, the server started with
    $VCAM_TOKEN or no token at all, without a word."""
    return given(text, f"the token is empty {UNSET}: give the secret, or leave out --token (then $VCAM_TOKEN is "
                       "used, where set)")


def media_folder(text: str) -> str:
    """--media's folder (user_path). An empty one shared the folder vcam runs in, and left out the option shares the
    show file's: neither is said to be meant."""
    return os.path.expanduser(given(text, f"the folder is empty {UNSET}: give the folder, . for the one vcam runs in"))


def log_path(text: str) -> str:
    """vcam render's LOG.jsonl (user_path), which cannot be left out: an empty one was said as "control log  does
    not exist"."""
    return os.path.expanduser(given(text, f"the path is empty {UNSET}: give the .jsonl file vcam run --log-controls "
                                          "wrote"))


def send_source(text: str) -> str:
    """vcam cam's --send: an empty one sent nothing, without a word, while the client told the server it was
    sending."""
    return given(text, "an empty source sends nothing: give camera, camera:N, camera:/dev/videoN or file:CLIP, or "
                       "leave --send out")


def fallback_image(text: str) -> str:
    """An image's path (user_path); an empty one was taken as no --fallback at all."""
    return os.path.expanduser(given(text, "an empty path names no image: give the image's path (--fallback "
                                          "still.png), or leave --fallback out"))


def show_ref(text: str) -> str:
    """SHOW.yaml of vcam run and serve: a show file's path or a shipped show's name. An empty one (`vcam run
    "$SHOW"`) was taken as no show at all: the default prompt went on air."""
    return given(text, "an empty name names no show: give a show file's path or the name of a show vcam ships, or "
                       "leave SHOW.yaml out")


def strength(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        meant = number_meant(text, lambda v: 0 <= v <= 1)  # as the typed command offers it, in the same words
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 0 to 1{meant}") from None
    try:
        return check_strength(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def bias(text: str) -> float:
    try:
        return check_bias(float(text))
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e) if "bias must" in str(e) else
                                         f"{text!r} is not a number above 0 and at most 1"
                                         f"{number_meant(text, lambda v: 0 < v <= 1)}") from None


def midi_port(text: str) -> str:
    """A MIDI input by its name or a part of it, or none (vcam run and serve: not even the show's). An empty one (an
    unset variable in a script) would open none, silently."""
    return _non_empty_port(text, "none for no input (not even the show's), ")


def midi_input(text: str) -> str:
    """A MIDI input by its name or a part of it, for vcam midi learn, which needs one."""
    return _non_empty_port(text, "")


def cam_midi_port(text: str) -> str:
    """A MIDI input by its name or a part of it, or none (no input, as vcam run's --midi none)."""
    return _non_empty_port(text, "none for no input, ")


def _non_empty_port(text: str, none: str) -> str:
    return given(text, f"an empty port name opens no input: give a port's name or a part of it (vcam devices lists "
                       f"them), {none}or leave --midi out")


def osc_address(reply: bool):
    """`[HOST:]PORT` for --osc and for --osc-reply (a port alone: whoever sends); kept as written
    (vcam.control.oscports reads it)."""
    def parse(text: str) -> str:
        from vcam.control.oscports import parse_address, parse_reply

        try:
            parse_reply(text) if reply else parse_address(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
        return text

    return parse
