"""The live status line: what the operator reads during a show."""
import io

from vcam.live.status import StatusLine, format_status


def test_the_status_line_shows_the_cards_memory_as_used_of_total():
    text = format_status(3.9, 30.0, 14, 1.2, (61.23, 79.6), "storm", "LIVE")
    assert "VRAM 61.2/80 GB" in text and "gen   3.9 fps" in text and "preset storm" in text
    assert "VRAM -" in format_status(60.0, 30.0, 5, 0.2, None, None, "LIVE")  # no GPU


def test_failed_outputs_stay_on_the_status_line():
    text = format_status(30.0, 30.0, 5, 0.2, None, None, "LIVE", ["file:show.mp4", "window"])
    assert text.startswith("LIVE | FAILED file:show.mp4, window |")
    assert "FAILED" not in format_status(30.0, 30.0, 5, 0.2, None, None, "LIVE")


def test_messages_clear_the_status_line_on_a_terminal():
    out = io.StringIO()
    out.isatty = lambda: True
    line = StatusLine(out)
    line.update("LIVE | a long status text")
    line.message("preset 2")
    written = out.getvalue()
    assert written.endswith("vcam: preset 2\n") and "\r" + " " * len("LIVE | a long status text") + "\r" in written
