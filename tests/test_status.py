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
    from vcam.remote.client import LinkFeed

    link = SimpleNamespace(connected=True, frames=40, token_refused=False, net_latency=0.1, uploader=None)
    feed = LinkFeed(link, clock=lambda: 0.0)
    assert "lost" not in feed.status(PacerStats(pushed=40), 30.0, [])
    assert "| lost 24 |" in feed.status(PacerStats(pushed=40, dropped=24), 30.0, [])
