"""The live status line: what the operator reads during a show."""
import io

import pytest

from ptys import typed_on_pty
from vcam.live.status import StatusLine, format_status


def test_the_status_line_shows_the_cards_memory_as_used_of_total():
    text = format_status(3.9, 30.0, 14, 1.2, (61.23, 79.6), "storm", "LIVE")
    assert "VRAM 61.2/80 GiB" in text and "gen   3.9 fps" in text and "preset 'storm'" in text
    assert "VRAM -" in format_status(60.0, 30.0, 5, 0.2, None, None, "LIVE")  # no GPU


def test_failed_outputs_stay_on_the_status_line():
    text = format_status(30.0, 30.0, 5, 0.2, None, None, "LIVE", ["file:show.mp4", "window"])
    assert text.startswith("LIVE | FAILED file:show.mp4, window |")
    assert "FAILED" not in format_status(30.0, 30.0, 5, 0.2, None, None, "LIVE")


def test_frames_that_never_came_on_screen_are_counted_on_the_status_line():
    """Frames dropped past the latency cap or passed over went unseen by the operator; shown once there is one."""
    from types import SimpleNamespace

    from vcam.live.model_feed import ModelFeed
    from vcam.live.pacer import PacerStats

    feed = ModelFeed(SimpleNamespace(state="running", stream=None), lambda s: None, "on air", lambda: None,
                     lambda: "live")
    assert "lost" not in feed.status(PacerStats(pushed=12), 30.0, [])
    text = feed.status(PacerStats(pushed=12, dropped=5, skipped=2), 30.0, [])
    assert "| latency  0.0 s | lost 7 | VRAM" in text, text


def test_the_generation_rate_is_a_dash_until_a_second_block_times_it():
    """On air with one block, the pacer knows no rate yet: "gen   0.0 fps" beside frames on screen read as a generator
    that makes nothing (the first line of a log, or of a slow CPU's show). A second block gives the rate."""
    from types import SimpleNamespace

    import numpy as np

    from vcam.live.model_feed import ModelFeed
    from vcam.live.pacer import Pacer, PacerSettings

    now = [0.0]
    pacer = Pacer(PacerSettings(fps=30.0), clock=lambda: now[0])
    feed = ModelFeed(SimpleNamespace(state="running", stream=None), lambda s: None, "on air", lambda: None,
                     lambda: "live")
    block = np.zeros((12, 16, 16, 3), np.uint8)
    assert feed.status(pacer.stats, 30.0, []).startswith("LOADING | gen     - fps |")
    pacer.push(block)
    for _ in range(3):
        now[0] += 1 / 30
        pacer.tick()
    text = feed.status(pacer.stats, 30.0, [])
    assert text.startswith("LIVE | gen     - fps | out  30.0 fps"), text
    now[0] += 1.0
    pacer.push(block)
    pacer.tick()
    text = feed.status(pacer.stats, 30.0, [])
    assert text.startswith(f"LIVE | gen {12 / (1.0 + 3 / 30):5.1f} fps |"), text  # 12 frames since the first block


def test_messages_clear_the_status_line_on_a_terminal():
    out = io.StringIO()
    out.isatty = lambda: True
    line = StatusLine(out)
    line.update("LIVE | a long status text")
    line.message("preset 2")
    written = out.getvalue()
    assert written.endswith("vcam: preset 2\n") and "\r" + " " * len("LIVE | a long status text") + "\r" in written


def test_vcam_cams_status_line_counts_the_frames_it_never_showed():
    """vcam cam cuts a backlog after a network stall: the frames cut are counted where the operator looks."""
    from types import SimpleNamespace

    from vcam.live.pacer import PacerStats
    from vcam.remote.feed import LinkFeed

    link = SimpleNamespace(connected=True, frames=40, frames_this_connection=40, token_refused=False, net_latency=0.1,
                           uploader=None, screen=None)
    feed = LinkFeed(link, clock=lambda: 0.0)
    assert "lost" not in feed.status(PacerStats(pushed=40), 30.0, [])
    assert "| lost 24 |" in feed.status(PacerStats(pushed=40, dropped=24), 30.0, [])


def test_a_stall_is_said_with_the_picture_the_camera_shows_the_fallback_image_where_one_is_set():
    """"holding the last frame" was said while the camera showed the fallback image."""
    from types import SimpleNamespace

    import numpy as np

    from vcam.live.model_feed import ModelFeed
    from vcam.live.pacer import Pacer, PacerSettings, PacerStats

    def stalled(fallback: np.ndarray | None) -> tuple[list[str], np.ndarray]:
        now, said = [0.0], []
        pacer = Pacer(PacerSettings(fps=30.0, stall_after=2.0, max_latency=1.0), clock=lambda: now[0])
        pacer.set_fallback(fallback)
        feed = ModelFeed(SimpleNamespace(state="running", stream=None), said.append, "on air", lambda: None,
                         lambda: "live", clock=lambda: now[0])
        pacer.push(np.zeros((4, 2, 2, 3), np.uint8))
        for tick in range(60):  # the block plays out within the latency cap
            now[0] = tick / 30.0
            pacer.tick()
        now[0] = 3.0
        on_camera = pacer.tick()
        feed.poll(pacer.stats)
        return said, on_camera

    image = np.full((2, 2, 3), 77, np.uint8)
    said, on_camera = stalled(image)
    assert (on_camera == image).all() and said[-1] == "generation stalled: showing the fallback image", said
    said, on_camera = stalled(None)
    assert not on_camera.any() and said[-1] == "generation stalled: holding the last frame", said
    # blocks that keep coming late: the fallback image shows between them
    said = []
    feed = ModelFeed(SimpleNamespace(state="running"), said.append, "on air", lambda: None, lambda: "live",
                     clock=lambda: 100.0)
    for stalled_now in (True, False, True):
        feed.poll(PacerStats(pushed=12, production_fps=0.8, stalled=stalled_now, fallback=True))
    assert "keeps stalling" in said[-1] and "the fallback image is shown between blocks" in said[-1], said


def test_vcam_cam_says_the_fallback_image_comes_after_the_last_frame_when_the_server_is_lost():
    import numpy as np

    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.remote.controller import RemoteController
    from vcam.remote.link import Link

    said: list[str] = []
    pacer = Pacer(PacerSettings())
    link = Link("ws://127.0.0.1:1", None, pacer, RemoteController(lambda line: False), said.append)
    link.connected, link.frames = True, 12
    link._closed(None, reported=False, error=ConnectionResetError())
    assert said[-1] == "connection to the server lost (ConnectionResetError); holding the last frame, reconnecting"
    pacer.set_fallback(np.zeros((2, 2, 3), np.uint8))
    link._closed(None, reported=False, error=ConnectionResetError())
    assert said[-1] == ("connection to the server lost (ConnectionResetError); holding the last frame (then the "
                        "fallback image), reconnecting")


def test_the_status_line_fits_a_terminal_narrower_than_it():
    """A status line wider than the terminal wrapped: each update's carriage return went to its second row, and the
    terminal filled with copies of the first, two a second."""
    out = io.StringIO()
    out.isatty = lambda: True
    columns = [60]
    line = StatusLine(out, columns=lambda: columns[0])
    wide = "LIVE | gen  29.7 fps | out  30.0 fps | buffer   19 | latency  0.6 s | VRAM - | preset forest dusk"
    line.update(wide)
    written = out.getvalue()
    assert written.startswith("\r" + wide[:58] + "…") and len(written) == 1 + 59
    columns[0] = 40  # the terminal made narrower: neither the text nor its padding reaches the last column
    line.update("LIVE | short")
    assert max(len(row) for row in out.getvalue().split("\r")) <= 59
    assert out.getvalue().endswith("\rLIVE | short" + " " * (39 - len("LIVE | short")))
    columns[0] = 200
    line.update(wide)
    assert out.getvalue().endswith("\r" + wide)


def test_the_width_comes_from_the_terminal_and_none_elsewhere(monkeypatch):
    from vcam.terminal import terminal_columns

    out = io.StringIO()
    assert terminal_columns(out) is None  # no descriptor: nothing cut
    StatusLine(out, log_every=0.0).update("x" * 500)
    assert out.getvalue() == "x" * 500 + "\n"  # not a terminal: a log line, whole
    with typed_on_pty(monkeypatch, 24, 83) as pty:
        assert terminal_columns(pty.out) == 83


def test_where_commands_are_typed_on_the_terminal_the_line_is_pinned_to_its_last_row_and_never_on_the_typed_one():
    """Rewritten in place (a carriage return, the text), the status line wiped the echo of every key typed since
    the last update: a command could not be seen as it was typed."""
    out = io.StringIO()
    out.isatty = lambda: True
    size = [(80, 24)]
    line = StatusLine(out, pinned=True, size=lambda: size[0])
    line.update("LIVE | one")
    assert out.getvalue() == "\n\x1b[1A" + "\x1b7\x1b[1;23r\x1b8" + "\x1b7\x1b[24;1HLIVE | one\x1b[K\x1b8"
    start = len(out.getvalue())
    line.update("LIVE | two")
    line.message("preset 2")  # in the region, where the cursor is: the typed row is not cleared
    assert out.getvalue()[start:] == "\x1b7\x1b[24;1HLIVE | two\x1b[K\x1b8" + "vcam: preset 2\n"
    start = len(out.getvalue())
    size[0] = (40, 20)  # made smaller: the region follows, the line is cut to the width
    line.update("LIVE | gen 29.7 fps | out 30.0 fps | buffer 19")
    assert out.getvalue()[start:] == ("\x1b7\x1b[20;1H\x1b[K\x1b8" + "\x1b7\x1b[1;19r\x1b8"
                                      + "\x1b7\x1b[20;1HLIVE | gen 29.7 fps | out 30.0 fps | b…\x1b[K\x1b8")
    start = len(out.getvalue())
    line.end()  # the region is given back, the last text stays as a line of its own
    assert out.getvalue()[start:] == ("\x1b7\x1b[r\x1b[20;1H\x1b[K\x1b8" + "\rLIVE | gen 29.7 fps | out 30.0 fps | b…"
                                      "\x1b[K\n")
    line.end()
    assert out.getvalue()[start:].count("\x1b[r") == 1  # once


def test_the_line_is_pinned_only_where_commands_are_typed_on_a_terminal_that_takes_it(monkeypatch):
    import sys

    from vcam.live.status import typed_on

    terminal = io.StringIO()
    terminal.isatty = lambda: True
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setattr(sys, "stdin", terminal)
    assert typed_on(terminal) == (sys.platform != "win32")
    monkeypatch.setenv("TERM", "dumb")
    assert not typed_on(terminal)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setattr(sys, "stdin", io.StringIO())  # commands piped in: nothing typed on the terminal
    assert not typed_on(terminal) and not StatusLine(terminal).pinned
    short = StatusLine(terminal, pinned=True, size=lambda: (80, 2))  # no room for a region: rewritten in place
    short.update("LIVE")
    assert terminal.getvalue() == "\rLIVE"


def test_a_preset_named_in_wide_characters_is_cut_to_the_terminals_columns_not_its_characters():
    """Counted in characters, a line ending in a preset named 夜の街を走る車 was 7 columns wider than counted: on a
    terminal a little wider than the line's characters it wrapped, and each update left a copy of the line."""
    from vcam.terminal import fit_line, text_cells

    line = "LIVE | gen  29.7 fps | out  30.0 fps | preset 夜の街を走る車"
    assert len(line) < 58 < text_cells(line)
    fitted = fit_line(line, 58)
    assert text_cells(fitted) <= 57 and fitted.endswith("…") and fitted.startswith("LIVE | gen")
    out = io.StringIO()
    out.isatty = lambda: True
    status = StatusLine(out, columns=lambda: 58)
    status.update(line)
    status.update("LIVE | short")  # padding over the longer line counts its columns too, up to the last but one
    assert out.getvalue().endswith("\rLIVE | short" + " " * (text_cells(fitted) - len("LIVE | short")))


def test_the_status_line_is_cut_where_a_character_starts():
    """Cut by character count, a name written with its accents typed after each letter lost the accent of the last
    letter kept, and an emoji built with a joiner was cut in two."""
    from vcam.terminal import fit_line, text_cells

    accented = "preset " + "e\u0301" * 40
    fitted = fit_line(accented, 20)
    assert fitted == "preset " + "e\u0301" * 11 + "…" and text_cells(fitted) == 19
    singer = "preset ab👩\u200d🎤 and more"
    fitted = fit_line(singer, 13)
    assert fitted in ("preset ab…", "preset ab👩\u200d🎤…") and text_cells(fitted) <= 12


def test_a_message_clears_no_further_than_a_terminal_made_narrower_reaches():
    """The blanks that cleared a line written at 80 columns wrapped once the terminal was 40 wide: the message
    came a row lower, under an empty row."""
    out = io.StringIO()
    out.isatty = lambda: True
    columns = [80]
    line = StatusLine(out, columns=lambda: columns[0])
    line.update("LIVE | " + "x" * 70)
    columns[0] = 40
    line.message("preset 2")
    cleared = out.getvalue().split("\r")[-2]
    assert cleared == " " * 39 and out.getvalue().endswith("\rvcam: preset 2\n")


def test_on_a_terminal_that_is_not_utf8_the_line_is_measured_as_it_prints_there():
    """On an ASCII terminal (LC_ALL=POSIX PYTHONUTF8=0) 夜 prints as `\\u591c`, six columns where two were counted,
    and the `…` of the cut as `\\u2026`: the line wrapped and left a copy of itself at each update."""
    from vcam.terminal import fit_line, text_cells

    line = "LIVE | gen  29.7 fps | out  30.0 fps | preset 夜の街"
    fitted = fit_line(line, 60, "ascii")
    assert fitted.startswith("LIVE | gen") and fitted.endswith("...") and fitted.isascii() and len(fitted) <= 59
    assert fit_line(line, 60, "utf-8") == line and text_cells(line) < 60
    assert fit_line("preset café", 60, "latin-1") == "preset café"  # a character the terminal has stays as it is
    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="backslashreplace")
    out.isatty = lambda: True
    StatusLine(out, columns=lambda: 60).update(line)
    out.flush()
    written = out.buffer.getvalue()
    assert written.startswith(b"\rLIVE") and len(written) <= 60


def test_a_line_is_not_cut_inside_a_vowel_sign_a_flag_or_a_skin_tone():
    """A Thai or Hindi vowel sign (a mark whose combining class is 0), the second half of a flag and a skin tone were
    each taken for a character of their own: a cut before one dropped the vowel, halved the flag, or lost the tone."""
    from vcam.terminal import fit_line, text_cells
    from vcam.words import clipped

    thai = "preset " + "\u0e01\u0e31" * 10  # ก with the vowel sign above it, drawn in one column
    assert fit_line(thai, 11) == "preset " + "\u0e01\u0e31" * 2 + "…"
    hindi = "preset " + "\u0915\u093e" * 10  # का: ka and its vowel sign, a mark that takes a column of its own
    fitted = fit_line(hindi, 12)
    assert fitted == "preset " + "\u0915\u093e" + "…" and text_cells(fitted) <= 11
    flags = "preset 🇫🇷🇩🇪🇮🇹"
    assert fit_line(flags, 12) == "preset 🇫🇷…" and fit_line(flags, 13) == "preset 🇫🇷🇩🇪…"
    assert fit_line("preset 👍🏽👍🏽", 12) == "preset …"
    assert clipped("go 👍🏽 now", 5) == "go …" and clipped("go 🇫🇷 now", 5) == "go …"


def test_a_tab_or_an_escape_in_a_preset_name_is_shown_not_obeyed_and_counted_as_shown():
    """A tab took up to 8 columns where one was counted (the line wrapped), and an escape in a preset's name steered
    the terminal at each redraw; a lone surrogate (an undecodable file name) printed as six columns counted one."""
    from vcam.terminal import fit_line, text_cells

    assert fit_line("preset a\tb\x1b[31mred\x07", 80) == "preset a b\\x1b[31mred\\x07"
    fitted = fit_line("loading \udce9t\u00e9.safetensors", 80, "utf-8")
    assert fitted == "loading \\udce9t\u00e9.safetensors" and text_cells(fitted) == len(fitted)
    out = io.StringIO()
    out.isatty = lambda: True
    StatusLine(out, columns=lambda: 20).update("preset\t\tname\nnext")
    assert out.getvalue() == "\rpreset  name\\nnext"
    assert text_cells("soft\u00adhyphen") == 11  # a soft hyphen is drawn, as a hyphen, on terminals


def test_on_a_terminal_that_is_not_utf8_the_line_is_cut_between_escapes_not_inside_one():
    """On an ASCII terminal the cut came inside a character's escape: `preset \\u591c\\u3...`."""
    from vcam.terminal import fit_line

    line = "preset 夜の街を走る車"
    assert fit_line(line, 20, "ascii") == "preset \\u591c..."
    assert fit_line(line, 16, "ascii") == "preset ..."
    assert fit_line("preset e\u0301te\u0301", 17, "ascii") == "preset ..."  # e and its accent's escape go together


@pytest.mark.parametrize("columns, encoding", [(1, "utf-8"), (2, "utf-8"), (3, "utf-8"), (3, "ascii"), (4, "ascii")])
def test_a_pane_a_few_columns_wide_gets_a_status_line_that_does_not_wrap(columns, encoding):
    """A terminal pane squeezed to one or two columns got a letter and the ellipsis, wider than the pane: each
    update wrapped onto a new row."""
    from vcam.terminal import fit_line, text_cells

    fitted = fit_line("LIVE | gen  29.7 fps | out  30.0 fps", columns, encoding)
    assert text_cells(fitted) < columns


def test_a_status_line_written_to_a_log_escapes_a_name_holding_a_terminals_escape():
    """An input's file named with "\\x1b[2J" cleared the screen of whoever read the log on a terminal."""
    out = io.StringIO()
    StatusLine(out, log_every=0.0).update("LIVE | in a\x1b[2Jb.png 1/1")
    assert out.getvalue() == "LIVE | in a\\x1b[2Jb.png 1/1\n"


def test_a_line_written_beside_the_status_line_wipes_its_row_first_on_a_terminal_alone(monkeypatch):
    """A line a thread writes straight to stderr (a load's step) ran on from the end of the status line's text."""
    from vcam.terminal import row_cleared

    out = io.StringIO()
    assert row_cleared(out) == ""  # a log: the status line is a line of its own there
    out.isatty = lambda: True
    monkeypatch.setenv("TERM", "xterm-256color")
    assert row_cleared(out) == "\r\x1b[K"
    monkeypatch.setenv("TERM", "dumb")  # prints an escape as ^[[K: blanks over the row's columns but its last
    monkeypatch.setattr("vcam.terminal.terminal_size", lambda out: (12, None))
    assert row_cleared(out) == "\r" + " " * 11 + "\r"


def test_a_line_written_beside_a_pinned_status_line_leaves_the_row_typed_on_as_it_is(monkeypatch):
    """Pinned to the last row, the status line is not on the cursor's row: wiping that row wiped a command being
    typed there. Once the line ends, the row is wiped again."""
    from vcam import terminal

    out = io.StringIO()
    out.isatty = lambda: True
    monkeypatch.setenv("TERM", "xterm")
    line = StatusLine(out, size=lambda: (80, 24), pinned=True)
    assert terminal.row_cleared(out) == "\r\x1b[K"  # not drawn yet: nothing pinned
    line.update("LIVE")
    assert terminal.row_cleared(out) == ""
    line.end()
    assert terminal.row_cleared(out) == "\r\x1b[K"


def _fitted_at(columns: int, on_air, failed=()) -> str:
    """The status line of a show as an 80-column terminal shows it (the feed's text, fitted by the status line)."""
    from types import SimpleNamespace

    from vcam.live.model_feed import ModelFeed
    from vcam.live.pacer import PacerStats

    out = io.StringIO()
    out.isatty = lambda: True
    line = StatusLine(out, columns=lambda: columns, pinned=False)
    feed = ModelFeed(SimpleNamespace(state="running", stream=None), lambda s: None, "on air", lambda: on_air,
                     lambda: "live", extra_status=lambda: "in clip.avi 3/20", columns=line.columns)
    line.update(feed.status(PacerStats(pushed=12, production_fps=30.0, buffered=13, latency=0.8), 30.0, list(failed)))
    return out.getvalue()


def test_what_is_on_air_shows_on_a_terminal_80_columns_wide():
    """What is on air came last, after the buffer, latency and memory: an 80-column terminal cut the line before it."""
    written = _fitted_at(80, "forest dusk")
    assert written.startswith("\rLIVE | gen  30.0 fps | out  30.0 fps | preset 'forest dusk' | buffer   13 |"), written
    assert len(written) <= 80


def test_a_blends_position_stays_on_a_terminal_80_columns_wide_its_names_shortened():
    """Cut at the row's end, a blend lost its position first: the one number a fader moves. Short of room, it is
    said `blend a 40% b`, one name cut so the other stays whole; where `b` is cut the row's cut says its ellipsis
    once, and after a whole `b` a blank stands before the row's ellipsis."""
    written = _fitted_at(80, ("neon city at night", "ocean waves under a storm", 0.35))
    assert written == "\rLIVE | gen  30.0 fps | out  30.0 fps | blend neon city at night 35% ocean wav…", written
    assert _fitted_at(80, ("city", "ocean waves under a storm at dusk", 0.35)).endswith(
        "| blend city 35% ocean waves under a sto…")
    assert _fitted_at(80, ("neon city at night in the rain", "ocean waves under a storm", 0.35)).endswith(
        "| blend n… 35% ocean waves under a storm …")
    assert "| blend 'city' / 'ocean' at 0.35 | buffer" in _fitted_at(80, ("city", "ocean", 0.35))
    # with no room for a letter of each name, the line is cut at the row's end as any other
    assert _fitted_at(80, ("city", "ocean", 0.35), ["file:show.mp4", "window"]).endswith("| blend 'c…")


@pytest.mark.parametrize("columns", [40, 60, 80, 100, 200])
@pytest.mark.parametrize("preset", [("neon city at night in the rain", "ocean waves under a storm", 0.35),
                                    ("neon", "city", 0.4), ("夜の街を走る車の長い名前", "ocean waves under a storm", 0.5),
                                    "a single preset with a long name that runs on past the row"])
def test_no_field_of_a_cut_row_shows_more_than_one_ellipsis(columns, preset):
    """A blend said short with both names cut read `blend neon city at… 35% ocean waves… | …`, and a row cut just
    past a blank after a name's ellipsis `ocean wa… …`: three ellipses where one says the text goes on."""
    for failed in ([], ["file:show.mp4"]):
        row = _fitted_at(columns, preset, failed).removeprefix("\r")
        assert "… …" not in row and "……" not in row, row
        # the row's own ellipsis at its end aside (shared with a name cut just before it)
        assert all(field.count("…") <= 1 for field in row.removesuffix("…").split(" | ")), row


def test_a_long_preset_name_cut_short_keeps_its_letters_not_its_quotes():
    """Cut at the row's end inside its quotes, a long name read `preset 'a very long single preset name …`: a quote
    left open and two columns lost to it; bare it keeps them, the rates, state and fields before it as they were."""
    name = "a very long single preset name that goes on and on and on for a while yes"
    assert _fitted_at(80, name) == "\rLIVE | gen  30.0 fps | out  30.0 fps | preset a very long single preset name…"
    # a name that does not read bare keeps its quotes, cut at the row's end
    assert _fitted_at(80, "it's " + name).endswith("| preset \"it's a very long single preset …")
    assert _fitted_at(200, name).startswith(f"\rLIVE | gen  30.0 fps | out  30.0 fps | preset '{name}' | buffer")
    assert _fitted_at(40, name) == "\rLIVE | gen  30.0 fps | out  30.0 fps |…"


@pytest.mark.parametrize("state, failed", [("LIVE", ["file:show.mp4"]), ("STALLED (blackout)", [])])
def test_a_blend_keeps_its_names_and_position_at_80_columns_beside_a_failed_output_or_a_long_state(state, failed):
    """`FAILED file:show.mp4` or `STALLED (blackout)` left a blend `blend 'neon' / '…` at 80 columns: its names and
    position gone, where the short form fits; every field before it stays whole, and the line in a log, or on a
    wide terminal, is as it was."""
    from vcam.live.status import format_status

    def at(columns):
        out = io.StringIO()
        out.isatty = lambda: True
        line = StatusLine(out, columns=lambda: columns, pinned=False)
        line.update(format_status(30.0, 30.0, 13, 0.8, (61.2, 79.6), ("neon", "city", 0.4), state, failed, 0,
                                  columns))
        return out.getvalue()

    head = " | ".join([state, *(["FAILED file:show.mp4"] if failed else []), "gen  30.0 fps", "out  30.0 fps"])
    shown = at(80)
    assert len(shown) <= 80 and shown.startswith("\r" + head + " | blend "), shown
    # short of room to cut one name only, both are cut, the second to the row's end: one ellipsis a name
    assert shown.endswith({"LIVE": "| blend n… 40% ci…", "STALLED (blackout)": "| blend neon 40% city | buf…"}[state])
    whole = f"{head} | blend 'neon' / 'city' at 0.40 | buffer   13 | latency  0.8 s | VRAM 61.2/80 GiB"
    assert at(200) == "\r" + whole
    assert format_status(30.0, 30.0, 13, 0.8, (61.2, 79.6), ("neon", "city", 0.4), state, failed) == whole


@pytest.mark.parametrize("blank, shown", [("\t", "\\t"), ("\u3000", "\\u3000"), ("\u00a0", "\\xa0")])
def test_a_blank_in_a_preset_name_is_shown_alike_in_a_reply_and_at_every_width(blank, shown):
    """A tab read `\\t` in a reply and a blank on the status line; an ideographic or no-break space read
    `\\u3000` or `\\xa0` in a reply, where a blank would not show that it is no space, and as a blank on the
    status line: the same name said two ways. The line says it as the reply does, whole or cut (never inside an
    escape), counted as shown."""
    from vcam.live.status import on_air_said
    from vcam.terminal import text_cells
    from vcam.words import quoted

    name = f"night{blank}city lights"
    assert quoted(name) == f"'night{shown}city lights'"
    assert on_air_said(name, 200) == on_air_said(name) == f"preset {quoted(name)}"
    assert on_air_said((name, "ocean", 0.5), 200) == f"blend {quoted(name)} / 'ocean' at 0.50"
    for room in range(16, 50):
        said = on_air_said(("ocean waves", name, 0.5), room)
        assert text_cells(said) <= room or said == on_air_said(("ocean waves", name, 0.5)), (room, said)
        assert "\t" not in said and ("night" not in said or f"night{shown}" in said or "night…" in said), said


def test_a_names_own_backslashes_beside_a_blank_are_shown_as_typed():
    """The text `\\u3000` in a name is shown as typed, apart from an ideographic space said `\\u3000`."""
    from vcam.live.status import on_air_said
    from vcam.words import quoted

    assert on_air_said("a\\u3000b", 200) == "preset 'a\\u3000b'"
    name = "a\\\u3000b"
    assert on_air_said(name, 200) == "preset " + quoted(name) != "preset 'a\\u3000b'"
    for room in range(12, 20):  # cut where a character of the name starts, never inside its escape
        said = on_air_said(("ocean", "b\u3000night sky", 0.5), room)
        assert not said.endswith(("\\…", "\\u…", "\\u30…")), (room, said)


@pytest.mark.parametrize("room", range(14, 30))
def test_a_name_starting_with_a_wide_character_keeps_a_character_when_a_blend_is_said_short(room):
    """A name in Japanese was cut to a bare `…`, `blend n… 40% …`: one letter was counted one column. Each name
    keeps a whole character at least, whole or with one ellipsis; short of room for that, the blend is said as a
    reply says it, and cut at the row's end."""
    from vcam.live.status import on_air_said
    from vcam.terminal import text_cells

    for preset in [("neon", "夜の街の雨", 0.4), ("夜の街の雨", "neon", 0.4), ("🌃🌧 rain", "夜の街", 0.4)]:
        a, b, _ = preset
        said = on_air_said(preset, room)
        if said != f"blend '{a}' / '{b}' at 0.40":
            assert text_cells(said) <= room, (room, said)
            shown_a, shown_b = said.removeprefix("blend ").rstrip(" ").split(" 40% ")  # blanks to the row's end
            assert shown_a.startswith(a[0]) and shown_b.startswith(b[0]), (room, said)
            for shown, name in ((shown_a, a), (shown_b, b)):
                assert shown == name or (shown.count("…") == 1 and name.startswith(shown[:-1])), (room, said)
    # the room for one name whole and a character of the other and its ellipsis
    assert on_air_said(("neon", "夜の街の雨", 0.4), text_cells("blend neon 40% 夜…")) == "blend neon 40% 夜…"


@pytest.mark.parametrize("columns", range(56, 72))
def test_a_blend_said_short_fits_the_row_its_width_counted_as_the_terminal_draws_it(columns):
    """A name in Japanese takes two columns a character: counted one, the row came out wider than the terminal."""
    from vcam.live.status import format_status
    from vcam.terminal import fit_line, text_cells

    for preset in [("neon city at night", "ocean waves", 0.35), ("neon", "夜の街の雨", 0.4)]:
        row = fit_line(format_status(30.0, 30.0, 13, 0.8, None, preset, "LIVE", columns=columns), columns)
        assert text_cells(row) < columns, (columns, row)


@pytest.mark.parametrize("a, b, room", [("a | b", "x", 20), ("sale 50% off", "x", 24), ("", "x", 20),
                                        ("\u3000\u3000", "x", 20), ("it's", "x", 20), ('say "hi"', "x", 20)])
def test_a_blend_is_said_short_only_where_each_name_reads_as_one_bare(a, b, room):
    """Bare, `blend a | b 40% x` read as two fields, `blend sale 50% o… 40% x` as two shares, a name of blanks
    could not be seen: such a blend is said as a reply says it, in quotes, and cut at the row's end."""
    from vcam.live.status import on_air_said

    assert on_air_said((a, b, 0.4), room).startswith("blend "), on_air_said((a, b, 0.4), room)
    assert " 40% " not in on_air_said((a, b, 0.4), room), on_air_said((a, b, 0.4), room)


def test_a_name_with_its_own_separators_keeps_its_text_when_the_row_is_cut():
    """A row cut just past a ` |` in a name ended at the blank before it: `blend 'a | b | c'` read `blend 'a …`."""
    from vcam.terminal import fit_line

    assert fit_line("LIVE | blend 'a | b | c' at 0.40", 19) == "LIVE | blend 'a |…"
    assert fit_line("LIVE | blend 'a | b | c' at 0.40", 23) == "LIVE | blend 'a | b |…"


def test_a_preset_on_air_is_named_in_quotes_as_a_blends_presets_are():
    """`preset forest dusk` beside `blend 'a' / 'b'`: a name with spaces read as words of the line, and the two
    read as said by two programs."""
    from vcam.live.status import on_air_said

    assert on_air_said("forest dusk") == "preset 'forest dusk'"
    assert on_air_said(("forest dusk", "ocean", 0.5)) == "blend 'forest dusk' / 'ocean' at 0.50"
    assert on_air_said(None) == "preset -"


def test_a_line_written_beside_the_status_line_wipes_it_where_the_terminal_says_no_width(monkeypatch):
    """A dumb terminal that reports its size as 0 0 got a bare carriage return: a load's step shorter than the
    status line left the status line's tail on screen after it."""
    import os

    from vcam.terminal import row_cleared

    out = io.StringIO()
    out.isatty = lambda: True
    out.fileno = lambda: 2
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=None: os.terminal_size((0, 0)))
    line = StatusLine(out, pinned=False)
    line.update("LIVE | gen  30.0 fps | preset storm")
    assert row_cleared(out) == "\r" + " " * len("LIVE | gen  30.0 fps | preset storm") + "\r"
    line.message("a warning")  # wipes the status line's row itself: nothing is left to wipe
    assert row_cleared(out) == ""
    other = io.StringIO()
    other.isatty = lambda: True
    other.fileno = lambda: 2
    assert row_cleared(other) == ""  # another stream: no status line drawn on it



def test_a_status_line_pinned_again_after_a_resize_below_three_rows_leaves_the_typed_row_as_it_is(monkeypatch):
    """Back at the same height after a resize to 2 rows, the line was pinned again but not said to be: every load
    step, camera tick or note written beside it wiped the row a command was being typed on."""
    from vcam.terminal import row_cleared

    with typed_on_pty(monkeypatch, 24) as pty:
        line = StatusLine(pty.out)
        assert line.pinned
        line.update("LIVE | one")
        assert row_cleared(pty.out) == ""
        pty.resize(2)
        line.update("LIVE | two")
        pty.resize(24)
        line.update("LIVE | three")
        assert row_cleared(pty.out) == ""
        line.end()


def test_a_load_step_written_before_the_status_line_pins_leaves_the_typed_row_as_it_is(monkeypatch, capsys):
    """Each step of a model's load wiped the row (`\\r\\x1b[K`) a command was being typed on while it loaded."""
    import sys

    from vcam.engine.load import _logger

    with typed_on_pty(monkeypatch, 24) as pty:
        monkeypatch.setattr(sys, "stderr", pty.out)
        _logger(True, None)("loading the VAE")
        shown = pty.line_shown()
    assert shown == b"vcam: loading the VAE\r\n", shown


def test_a_name_shortened_before_and_cut_again_just_past_its_ellipsis_shows_one_ellipsis():
    """A failed output named with an ellipsis of its own, cut at the row's end just past it, read `clip……`."""
    from vcam.terminal import fit_line

    assert _fitted_at(26, "forest", ["file:clip….mp4"]) == "\rLIVE | FAILED file:clip…"
    assert fit_line("FAILED …… next", 10) == "FAILED …"


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGTSTP"), reason="no Ctrl-Z")
def test_ctrl_z_gives_the_terminal_back_and_fg_pins_the_line_again(monkeypatch):
    """Ctrl-Z left the scroll region set under the shell, its last row the stale status line, and after `fg` the
    line was drawn into a region the shell had scrolled: the handler only asks, the drawing gives back and pins."""
    import os
    import select
    import signal

    def shown(leader) -> bytes:
        got = b""
        while select.select([leader], [], [], 0.5)[0]:
            got += os.read(leader, 65536)
        return got

    before = signal.getsignal(signal.SIGTSTP)
    with typed_on_pty(monkeypatch, 24) as pty:
        seen_at_stop = []
        line = StatusLine(pty.out, suspend=lambda: seen_at_stop.append(shown(pty.leader)))
        line.update("LIVE | one")
        shown(pty.leader)
        handler = signal.getsignal(signal.SIGTSTP)
        assert callable(handler)  # else the signal below would stop the tests' own process
        os.kill(os.getpid(), signal.SIGTSTP)  # Ctrl-Z: nothing is drawn from the handler
        assert not seen_at_stop and shown(pty.leader) == b""
        line.update("LIVE | two")
        # the region given back and the pinned row wiped before the process stops
        assert seen_at_stop == [b"\x1b7\x1b[r\x1b[24;1H\x1b[K\x1b8"], seen_at_stop
        # after fg: room made on the last row, the region set again and the line drawn there
        assert shown(pty.leader) == (b"\r\n\x1b[1A\x1b7\x1b[1;23r\x1b8\x1b7\x1b[24;1HLIVE | two\x1b[K\x1b8")
        line.end()
    assert signal.getsignal(signal.SIGTSTP) == before


@pytest.mark.skipif(not hasattr(__import__("os"), "tcgetpgrp"), reason="no job control")
def test_ctrl_z_then_bg_draws_nothing_until_fg(monkeypatch):
    """After Ctrl-Z and `bg`, the next update set the scroll region again under the shell's prompt; in the
    background the line draws nothing, and pins itself again after `fg`."""
    import os
    import select

    def shown(leader) -> bytes:
        got = b""
        while select.select([leader], [], [], 0.5)[0]:
            got += os.read(leader, 65536)
        return got

    with typed_on_pty(monkeypatch, 24) as pty:
        line = StatusLine(pty.out, suspend=lambda: None)
        line._give_back_and_suspend()  # Ctrl-Z: the region given back, the process stopped
        shown(pty.leader)
        monkeypatch.setattr(os, "tcgetpgrp", lambda fd: os.getpgrp() + 1)  # `bg`: the shell's job in front
        line.update("LIVE | in the background")
        assert shown(pty.leader) == b""
        monkeypatch.setattr(os, "tcgetpgrp", lambda fd: os.getpgrp())  # `fg`
        line.update("LIVE | back")
        assert shown(pty.leader) == (b"\r\n\x1b[1A\x1b7\x1b[1;23r\x1b8\x1b7\x1b[24;1HLIVE | back\x1b[K\x1b8")
        line.end()


_PAIRS = [("cyberpunk city street at night", "underwater coral reef with fish", 0.5), ("neon", "city", 0.4),
          ("東京\u3000夜景\u3000ネオン", "海\u3000波", 0.3), ("夜の街を走る車の長い名前", "ocean waves under a storm", 0.5)]


@pytest.mark.parametrize("preset", _PAIRS)
def test_a_blend_keeps_its_position_wherever_a_character_of_each_name_fits(preset):
    """Two long names neither of which could be cut alone left the blend `blend 'cyberpunk city street at night' …`
    at 80 columns, its position gone where main showed it from 57 columns: both are cut now, one ellipsis each,
    the second to the row's end (`blend cyberpunk ci… 50% underwater co…`), never inside an escape."""
    from vcam.live.status import _least_cut
    from vcam.terminal import text_cells

    a, b, x = preset
    share = f"{x * 100:.0f}%"
    for failed in ([], ["file:show.mp4"]):
        head = " | ".join(["LIVE", *(f"FAILED {f}" for f in failed), "gen  30.0 fps", "out  30.0 fps"]) + " | "
        for columns in range(50, 131):
            row = _fitted_at(columns, preset, failed).removeprefix("\r")
            assert text_cells(row) < columns, (columns, row)
            room = columns - 2 - text_cells(head)
            if room >= text_cells(f"blend  {share} ") + _least_cut(a) + _least_cut(b):
                assert f" {share} " in row or f" at {x:.2f}" in row, (columns, row)
            assert not any(cut in row for cut in ("\\…", "\\u…", "\\u3…", "\\u30…", "\\u300…")), (columns, row)
            on_air = row.removeprefix(head).split(" | ")[0].removesuffix(" …")
            if f" {share} " in on_air:
                shown_a, shown_b = on_air.removeprefix("blend ").split(f" {share} ")
                assert shown_a.count("…") <= 1 and shown_b.count("…") <= 1, (columns, row)


@pytest.mark.parametrize("preset", ["東京\u3000夜景\u3000ネオン\u3000雨の街", _PAIRS[2]])
def test_a_name_cut_short_ends_the_row_with_its_own_ellipsis(preset):
    """A wide character left a column free after a cut name, and the row cut there again: `preset 東京… |…`,
    `blend 東京… 30% 海\\u3000波 |…`, two ellipses where one says the text goes on, or a separator left bare."""
    for columns in range(50, 80):
        row = _fitted_at(columns, preset).removeprefix("\r")
        assert "… |…" not in row and "…|…" not in row and "… |" not in row and " |…" not in row, (columns, row)


def test_a_blend_said_as_a_reply_is_never_cut_inside_an_escape():
    """Short of room for its short form, a blend said as its reply says it was cut inside a name's escape,
    `blend '東京\\u3000夜景\\u…`, read as some other character."""
    for columns in range(40, 90):
        row = _fitted_at(columns, ("東京\u3000夜景\u3000ネオン", "海\u3000波", 0.3))
        assert not any(cut in row for cut in ("\\…", "\\u…", "\\u3…", "\\u30…", "\\u300…")), (columns, row)


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGTSTP"), reason="no Ctrl-Z")
def test_ctrl_z_is_taken_once_as_the_line_pins_and_given_back_at_its_end(monkeypatch):
    """Ctrl-Z's handler is put in place as the line first takes the last row, not looked at again at each draw,
    and Ctrl-Z's own action is back once the line ends. A guard on the code's shape: what the operator sees is the
    same when it is taken at each draw (only the count of takings tells them apart)."""
    import signal

    before = signal.getsignal(signal.SIGTSTP)
    taken = []
    with typed_on_pty(monkeypatch, 24) as pty:
        line = StatusLine(pty.out, suspend=lambda: None)
        took = line._take_ctrl_z
        monkeypatch.setattr(line, "_take_ctrl_z", lambda: (taken.append(1), took()))
        assert signal.getsignal(signal.SIGTSTP) == before  # a load before the line pins stops at Ctrl-Z at once
        for n in range(5):
            line.update(f"LIVE | {n}")
        pty.resize(20)
        line.update("LIVE | smaller")
        assert taken == [1] and signal.getsignal(signal.SIGTSTP) == line._ask_suspend
        line.end()
    assert signal.getsignal(signal.SIGTSTP) == before


def test_a_name_cut_just_past_a_backslash_goes_back_before_it():
    """The part of a name kept by a cut is quoted once, as the whole is, and never ends in a backslash: `show\\…`
    read its ellipsis as an escape, `show\\\\u2026` where the terminal cannot print `…`."""
    from vcam.live.status import on_air_said
    from vcam.terminal import fit_line
    from vcam.words import quoted

    name = "show\\neon city at night over the bay"
    assert quoted(name) == "'show\\neon city at night over the bay'"
    assert on_air_said(name, 13).rstrip() == "preset show…"
    assert on_air_said(("ocean", name, 0.5), 22).rstrip() == "blend ocean 50% show…"
    for columns in range(40, 90):
        text = format_status(30.0, 30.0, 13, 0.8, None, ("show\\neon city at night", "ocean", 1.0), "LIVE",
                             columns=columns)
        for encoding in ("utf-8", "latin-1", "ascii"):
            row = fit_line(text, columns, encoding)
            assert "\\…" not in row and "\\\\u2026" not in row, (columns, encoding, row)
