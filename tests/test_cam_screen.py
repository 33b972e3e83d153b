"""vcam cam's freeze and blackout fall on the frames the server's camera had on when they were made, not when the
state message arrives: frames already on this side play on up to the frame named. A server that names no frame (one
from before) is followed on arrival, as always. The camera runs on a fake clock; the link takes the very messages a
server sends."""
from __future__ import annotations

import json
import threading

import numpy as np

from helpers import RecordingProducer, script_module, wait_for
from vcam.control.controller import Controller, ShowState
from vcam.control.protocol import Shown
from vcam.live.pacer import Pacer, PacerSettings
from vcam.live.screen import Screen
from vcam.remote import protocol as proto
from vcam.remote.camscreen import CamScreen
from vcam.remote.client import cam_screen
from vcam.remote.controller import RemoteController
from vcam.remote.link import Link

FakeTime = script_module("quantize_bench").FakeTime  # a clock, and a sleep that runs the events due meanwhile
BURST = 12
SIZE = (32, 24)  # width, height


def frame_of(block: int, index: int) -> np.ndarray:
    """A flat picture whose colour says its block and index, through JPEG."""
    return np.full((SIZE[1], SIZE[0], 3), (20 + 20 * block, 20 + 15 * index, 128), np.uint8)


def id_of(frame: np.ndarray) -> tuple[int, int] | None:
    """(block, index) of a frame_of picture; None for black."""
    r, g, _ = (int(v) for v in frame.reshape(-1, 3).mean(axis=0).round())
    return (round((r - 20) / 20), round((g - 20) / 15)) if r > 10 else None


def frame_message(block: int, index: int) -> bytes:
    header = proto.FrameHeader(BURST * block + index, block, index, BURST, 0.0, *SIZE)
    return proto.encode_frame(frame_of(block, index), header, quality=95)


def state(screen: str, at: list[int] | None = None, **more) -> str:
    fields = {"screen": screen, **({"screen_at": at} if at is not None else {}), **more}
    return proto.text("state", **fields)


class Cam:
    """vcam cam's receiving side as run_cam wires it (the link, its pacer, the screen), on a fake clock, with a
    camera that notes each tick's (frame from the pacer, frame on the camera, screen mode)."""

    def __init__(self):
        self.ft, self.stop = FakeTime(), threading.Event()
        self.pacer = Pacer(PacerSettings(fps=30.0), clock=self.ft.clock)
        self.screen = cam_screen(self.pacer)
        self.said: list[str] = []
        self.link = Link("ws://127.0.0.1:1", None, self.pacer, RemoteController(lambda line: True), self.said.append,
                         screen=self.screen)
        self.ticks: list[tuple] = []
        self.times: list[float] = []  # each tick's time

    def at(self, t: float, *messages) -> None:
        """The link receives `messages` (frames as bytes, states as text) at fake time t."""
        self.ft.at(t, lambda: [self.link._receive(m) for m in messages])

    def run(self, until: float) -> None:
        shown = Screen(self.screen)

        def emit(frame, tick):
            mode = self.screen.screen  # as the Screen reads it now (the link takes its messages on this thread here)
            out = shown.apply(frame)
            self.ticks.append((id_of(frame), id_of(out), mode))
            self.times.append(self.ft.now)

        self.ft.at(until, self.stop.set)
        self.pacer.run(emit, self.stop, sleep=self.ft.sleep)

    def changes(self) -> list[tuple[str, tuple[int, int]]]:
        """Each change of what the camera shows, with the frame of the tick just before it (after which it was
        made)."""
        changes, mode = [], "live"
        for k, (_, _, screen) in enumerate(self.ticks):
            if screen != mode:
                changes.append((screen, self.ticks[k - 1][0] if k else None))
                mode = screen
        return changes

    def first(self, mode: str) -> int:
        """The first tick in `mode`."""
        return next(k for k, (_, _, screen) in enumerate(self.ticks) if screen == mode)

    def held(self, mode: str) -> set:
        return {out for _, out, screen in self.ticks if screen == mode}


def block_messages(block: int, lost: tuple[int, ...] = ()) -> list[bytes]:
    return [frame_message(block, i) for i in range(BURST) if i not in lost]


def test_frames_buffered_before_a_freeze_play_unfrozen_up_to_the_frame_it_names():
    cam = Cam()
    # Two blocks wait in the camera's pacer (one frame of the second lost on the way) when the server, whose camera
    # is ahead, says it froze on (1, 4), then went live at (1, 9) and blacked out at (2, 6).
    cam.at(0.0, *block_messages(0), *block_messages(1, lost=(2,)),
           state("freeze", [1, 4]), state("freeze", [1, 4], seed=5))  # a later state repeats the change
    cam.at(0.35, state("live", [1, 9]), state("blackout", [2, 6]))  # (1, 9) not on yet: two blocks play in 0.8 s
    cam.at(0.8, *block_messages(2))
    for k in range(3, 8):
        cam.at(0.8 * k, *block_messages(k))
    cam.run(until=7.0)
    assert cam.changes() == [("freeze", (1, 4)), ("live", (1, 9)), ("blackout", (2, 6))]
    assert cam.held("freeze") == {(1, 4)} and cam.held("blackout") == {None}  # the picture the server held; black
    before = [shown for shown, _, mode in cam.ticks if mode == "live" and shown <= (1, 4)]
    assert before[0] == (0, 0) and before[-1] == (1, 4)  # every frame on before it, live
    assert {shown for shown, _, _ in cam.ticks if shown < (2, 0)} >= {(0, i) for i in range(BURST)}
    assert cam.screen.waiting() == 0


def test_a_state_without_a_frame_is_made_on_arrival_as_from_a_server_before():
    cam = Cam()
    cam.at(0.0, *block_messages(0), *block_messages(1))
    cam.at(0.31, state("freeze"))  # while frames of the first block still wait
    cam.run(until=3.0)
    first = cam.first("freeze")
    assert cam.times[first - 1] < 0.31 <= cam.times[first]  # the first tick after the message
    assert cam.held("freeze") == {cam.ticks[first - 1][0]} and cam.ticks[first - 1][0] < (0, 11)


def test_a_change_at_a_frame_already_on_this_camera_is_made_at_once():
    cam = Cam()
    cam.at(0.0, *block_messages(0))
    cam.at(2.01, state("blackout", [0, 1]))  # by then the camera shows a later frame
    cam.run(until=3.0)
    first = cam.first("blackout")
    assert cam.times[first - 1] < 2.01 <= cam.times[first] and cam.ticks[first - 1][0] > (0, 1)


def test_a_restarted_server_numbering_from_0_and_a_stalled_stream_leave_no_change_waiting():
    stall = threading.Event()
    screen = CamScreen(stalled=stall.is_set)
    screen.shown(Shown(40, 3, 0.0))
    screen.heard({"screen": "freeze", "screen_at": [41, 0]})
    assert (screen.screen, screen.waiting()) == ("live", 1)
    screen.heard({"screen": "blackout", "screen_at": [0, 5]})  # a new server's numbers: the old change is gone,
    assert (screen.screen, screen.waiting()) == ("live", 1)  # and the new one waits for its own frame
    screen.shown(Shown(0, 5, 1.0))
    assert (screen.screen, screen.waiting()) == ("blackout", 0)
    screen.heard({"screen": "live", "screen_at": [9, 0]})
    screen.heard({"screen": "live", "screen_at": "soon"})  # not a frame: at once
    assert (screen.screen, screen.waiting()) == ("live", 0)
    screen.heard({"screen": "freeze", "screen_at": [50, 0]})  # its frame never comes
    assert screen.screen == "live"
    stall.set()
    assert (screen.screen, screen.waiting()) == ("freeze", 0)
    screen.heard({"seed": 3})  # no screen in it: nothing changes
    assert screen.screen == "freeze"


def test_the_server_names_the_frame_on_its_camera_with_each_screen_change():
    state = ShowState(prompts={"a": 1.0})
    screen = Screen(state)
    ctl = Controller(None, state, RecordingProducer(), threading.Event(), lambda text: None, screen=screen)
    assert ctl.snapshot()["screen_at"] is None
    ctl.handle_line("freeze", "stdin")  # before any frame was on
    assert (ctl.snapshot()["screen"], ctl.snapshot()["screen_at"]) == ("freeze", None)
    screen.apply(np.zeros((4, 4, 3), np.uint8), Shown(7, 3, 12.5))  # a camera tick shows frame (7, 3)
    ctl.handle_line("blackout", "stdin")
    assert (ctl.snapshot()["screen"], ctl.snapshot()["screen_at"]) == ("blackout", [7, 3])
    json.dumps(ctl.snapshot())  # as it travels


def test_a_mode_a_replay_sets_is_told_without_the_frame_of_a_commands_change():
    """With the camera's screen, a command's change is told with the frame the screen set it after; a replayed
    log sets the state itself (on the camera's thread, at its logged frame), and that mode is told with no frame
    (made on arrival): never with the frame of the last change a command made."""
    state = ShowState(prompts={"a": 1.0})
    screen = Screen(state)
    ctl = Controller(None, state, RecordingProducer(), threading.Event(), lambda text: None, screen=screen)
    screen.apply(np.zeros((2, 2, 3), np.uint8), Shown(7, 3, 12.5))
    ctl.handle_line("freeze", "stdin")
    assert (ctl.snapshot()["screen"], ctl.snapshot()["screen_at"]) == ("freeze", [7, 3])
    state.screen = "blackout"  # as vcam.control.log.Replay makes a logged change
    assert (ctl.snapshot()["screen"], ctl.snapshot()["screen_at"]) == ("blackout", None)


def test_a_served_block_carries_the_shows_number_and_vcam_cam_freezes_on_the_frame_named(local_server):
    """Over a real connection: the blocks published before any client came count, so the numbers a client gets
    are the server camera's; the client's camera holds the frame the state names."""
    local_server.publish(np.stack([frame_of(0, i) for i in range(BURST)]))  # nobody watching yet
    cam = Cam()
    cam.link.url = f"ws://127.0.0.1:{local_server.port}"
    cam.link.start()
    try:
        assert wait_for(lambda: cam.link.connected and len(local_server.clients) == 1, 60)
        for block in (1, 2):
            local_server.publish(np.stack([frame_of(block, i) for i in range(BURST)]), block)
        assert wait_for(lambda: cam.pacer.stats.pushed == 2 * BURST, 60)
        local_server.state = lambda: {"screen": "freeze", "screen_at": [2, 5]}
        local_server.broadcast_state()
        assert wait_for(lambda: cam.screen.waiting() == 1, 60)
    finally:
        cam.link.stop()
    cam.run(until=4.0)
    assert cam.ticks[0][0] == (1, 0)
    assert cam.changes() == [("freeze", (2, 5))] and cam.held("freeze") == {(2, 5)}


def test_a_client_joining_a_blacked_out_show_is_black_from_its_first_frame():
    """The state names the frame the server blacked out after, long before this client came: no frame of it ever
    comes here, and the first one that does is already past it."""
    cam = Cam()
    cam.at(0.0, state("blackout", [3, 4]), *block_messages(7))
    cam.at(0.8, *block_messages(8))
    cam.at(1.6, state("live", [8, 6]), *block_messages(9))
    cam.run(until=3.0)
    assert cam.ticks[0][:2] == ((7, 0), None)  # its first frame, black
    assert cam.changes() == [("blackout", None), ("live", (8, 6))]
    assert all(out is None for shown, out, _ in cam.ticks if shown < (8, 6))


def test_a_change_at_a_frame_lost_on_the_way_lets_no_later_frame_out_unchanged():
    """The frame named never came: the change falls after the frame before it, as the server's did, not a tick
    after the next one came on live."""
    cam = Cam()
    cam.at(0.0, *block_messages(0))
    cam.at(0.8, *block_messages(1, lost=(4, 9)), state("blackout", [1, 4]), state("freeze", [1, 9]))
    for k in (2, 3):
        cam.at(0.8 * k, *block_messages(k))
    cam.run(until=3.5)
    assert cam.changes() == [("blackout", (1, 3)), ("freeze", (1, 8))]
    assert [shown for shown, out, mode in cam.ticks if mode == "blackout"][0] == (1, 5)
    assert all(out is None for shown, out, _ in cam.ticks if (1, 4) < shown < (1, 9))
    assert cam.held("freeze") == {(1, 8)}  # the frame before the one the server held, the last one here
    assert cam.screen.waiting() == 0


def test_a_restarted_servers_change_waits_for_its_frame_while_the_old_servers_last_frame_is_held():
    """The camera holds the old server's last frame (9, 11) when the server comes back restarted, numbering from 0
    again (its first state says it has made no block yet). Its blackout at (3, 0) overtakes the frames on their way
    (text goes first): it falls after that frame, not at once, as if (3, 0) were long past."""
    cam = Cam()
    cam.at(0.0, *block_messages(8))
    cam.at(0.8, *block_messages(9))
    cam.at(20.0, state("live", block=0))  # the new server, on connecting
    cam.at(20.9, state("blackout", [3, 0], block=4))
    for k in range(5):
        cam.at(21.0 + 0.1 * k, *block_messages(k))
    cam.run(until=26.0)
    assert cam.changes() == [("blackout", (3, 0))]
    assert {shown for shown, _, mode in cam.ticks if mode == "live"} >= {(9, 11), (0, 0), (2, 11), (3, 0)}
    assert cam.screen.waiting() == 0


def _blacked_out_over_a_restart(screen: str) -> tuple[Cam, list]:
    """A camera blacked out at (9, 5) whose server restarted: the new one's first states say `screen` with no frame
    (it loads its model) from 20 s, its first frames come at 40 s. The camera, and (time, frame shown, mode) of each
    tick after the blackout, all black until that first frame."""
    cam = Cam()
    cam.at(0.0, *block_messages(8))
    cam.at(0.8, *block_messages(9), state("blackout", [9, 5], block=10))
    cam.at(20.0, state(screen, block=0))  # the new server, on connecting, loading its model
    cam.at(30.0, state(screen, block=0, seed=4))  # each state repeats its screen
    cam.at(40.0, *block_messages(0))
    cam.run(until=42.0)
    after = [(t, out, mode) for t, (_, out, mode) in zip(cam.times, cam.ticks) if t > 2.0]
    assert all(mode == "blackout" for t, _, mode in after if t < 40.0)
    return cam, after


def test_a_blackout_stays_black_over_a_server_restart_until_the_new_servers_first_frame_comes():
    """The operator blacked out at (9, 5), then restarted vcam serve. The new server's first state says live with no
    frame (it has shown none yet), and its first frames come after its model loads: the camera stays black until
    then, where it went live at once on the old server's last frame, the very picture the blackout hid."""
    cam, after = _blacked_out_over_a_restart("live")
    assert [change for change, _ in cam.changes()] == ["blackout", "live"] and cam.held("blackout") == {None}
    assert next(out for _, out, mode in after if mode == "live") == (0, 0)  # the new server's first frame
    assert cam.screen.waiting() == 0


def test_a_blackout_over_a_server_restart_that_comes_back_frozen_stays_black_until_the_new_servers_first_frame():
    """The new server's first state says freeze with no frame (frozen before it showed one): frozen at once, the
    camera held the old server's last frame, the very picture the blackout hid, while the new one loaded."""
    cam, after = _blacked_out_over_a_restart("freeze")
    assert cam.held("blackout") == {None}
    assert not any(out is not None and out[0] == 9 for _, out, _ in after)  # no picture of the old server's
    assert cam.held("freeze") == {(0, 0)}  # the new server's first frame
    assert cam.screen.waiting() == 0


def test_a_blackout_lifted_while_the_connection_was_down_stays_black_until_a_frame_after_it_comes():
    """The same server went live at (10, 3) while the connection was down; the state saying so comes on
    reconnecting, with the stream stalled. Made at once for the stall, live showed the last frame on this camera,
    the very picture the blackout hid, until the next block came."""
    cam = Cam()
    cam.at(0.0, *block_messages(8))
    cam.at(0.8, *block_messages(9), state("blackout", [9, 5], block=10))
    cam.at(20.0, state("live", [10, 3], block=11))  # reconnected: the server's own state, then its next block
    cam.at(25.0, *block_messages(11))
    cam.run(until=27.0)
    after = [(t, out, mode) for t, (_, out, mode) in zip(cam.times, cam.ticks) if t > 2.0]
    assert not any(out is not None and out[0] == 9 for _, out, _ in after)  # the picture the blackout hid
    assert all(mode == "blackout" for t, _, mode in after if t < 25.0)
    assert next(out for _, out, mode in after if mode == "live") == (11, 0)
    assert cam.screen.waiting() == 0


def test_a_blackout_lifted_while_frames_were_lost_is_said_to_stay_until_the_next_frame():
    """Held black for a frame that may never come (lost with the connection, the server stalled after): the lines
    said "holding the last frame" of a black camera."""
    from vcam.remote.camscreen import covering

    cam = Cam()
    cam.at(0.0, *block_messages(8))
    cam.at(0.8, *block_messages(9), state("blackout", [9, 5], block=10))
    cam.at(20.0, state("live", [10, 3], block=11))  # reconnected, and no frame since
    cam.run(until=30.0)
    after = [(out, mode) for t, (_, out, mode) in zip(cam.times, cam.ticks) if t > 2.0]
    assert all(mode == "blackout" for _, mode in after) and not any(out and out[0] == 9 for out, _ in after)
    assert covering(cam.screen) == ("the camera stays black until the server's next frame (the blackout was lifted "
                                    "while its frames were lost)")


def test_a_restarted_servers_freeze_holds_its_own_frame_not_the_old_servers():
    cam = Cam()
    cam.at(0.0, *block_messages(8))
    cam.at(0.8, *block_messages(9))
    cam.at(20.0, state("live", block=0))
    cam.at(20.9, state("freeze", [3, 0], block=4))
    for k in range(5):
        cam.at(21.0 + 0.1 * k, *block_messages(k))
    cam.run(until=24.0)
    assert cam.changes() == [("freeze", (3, 0))] and cam.held("freeze") == {(3, 0)}


def test_a_restart_is_told_by_the_blocks_made_or_by_a_change_before_the_last_not_by_a_change_already_on():
    on = [Shown(500, 11, 0.0)]
    screen = CamScreen(showing=lambda: (on[0], None))
    screen.shown(on[0])
    screen.heard({"screen": "blackout", "screen_at": [3, 0], "block": 4})  # fewer blocks than the frame on
    assert (screen.screen, screen.waiting()) == ("live", 1)  # the old frame still held is not read as past it
    on[0] = Shown(0, 0, 1.0)
    screen.shown(on[0])
    assert screen.screen == "live"
    on[0] = Shown(3, 0, 1.5)
    screen.shown(on[0])
    assert screen.screen == "blackout"
    # the same server, a change heard late: its frame is on already, made at once
    on[0] = Shown(5, 2, 2.0)
    screen.shown(on[0])
    screen.heard({"screen": "live", "screen_at": [4, 7], "block": 7})
    assert (screen.screen, screen.waiting()) == ("live", 0)


def test_a_block_cut_short_by_the_connections_end_plays_at_once_not_with_the_next_connections_frames():
    """Half of block 9 came before the connection dropped: its frames go on at once, and the restarted server's
    block 9 (numbered anew) is a block of its own, not the rest of the old one."""
    cam = Cam()
    cam.at(0.0, *block_messages(8))
    cam.at(0.5, *block_messages(9)[:6])
    cam.ft.at(0.6, cam.link._connection_ended)
    cam.at(20.0, state("live", block=9))
    cam.at(20.5, *block_messages(9)[6:])  # the new server's block 9, from its 7th frame (the first ones lost)
    cam.run(until=22.0)
    shown = [frame for frame, _, _ in cam.ticks]
    old = shown.index((9, 5))
    assert old < len(shown) - 1 and shown[:old + 1].count((9, 5)) == 1
    assert cam.times[old] < 20.0  # on screen before the next connection
    assert (9, 11) in shown[old + 1:]


def test_a_restarted_server_already_past_the_old_frame_leaves_the_stall_to_make_a_change_whose_frame_is_lost():
    """The camera was at the old server's (40, 3); the new server had made 60 blocks when it was heard, its first
    change back at (10, 0). Its frames come numbered past (40, 3), never below: the old frame must not stay in
    force, or a later change whose frame is lost was never made when the stream stalled."""
    stall = threading.Event()
    on = [Shown(40, 3, 0.0)]
    screen = CamScreen(stalled=stall.is_set, showing=lambda: (on[0], None))
    screen.shown(on[0])
    screen.heard({"screen": "live", "screen_at": [40, 0], "block": 41})
    screen.heard({"screen": "freeze", "screen_at": [10, 0], "block": 60})  # before the last change: restarted
    assert screen.screen == "freeze"  # long past for a server at block 60
    on[0] = Shown(60, 0, 1.0)
    screen.shown(on[0])
    screen.heard({"screen": "blackout", "screen_at": [61, 0], "block": 62})
    assert (screen.screen, screen.waiting()) == ("freeze", 1)
    stall.set()  # block 61 never comes
    assert (screen.screen, screen.waiting()) == ("blackout", 0)


def _old_frames_then_restart(cam: Cam, held_block: int, blocks: int, new_blocks: int) -> None:
    """The old server's blocks `held_block`.. up to `blocks` - 1 wait in the camera's pacer (its last change, live,
    named its first frame) when the server is heard restarted: its change at (1, 0) is before that one, and it has
    made `new_blocks` blocks."""
    old = [m for block in range(held_block, blocks) for m in block_messages(block)]
    cam.at(0.0, state("live", [held_block, 0], block=blocks), *old)
    cam.at(0.05, state("live", [1, 0], block=new_blocks))


def test_a_restarted_servers_blackout_lets_the_old_servers_frames_still_buffered_play_live():
    """The new server, past the held frame's block, blacks out at (10, 6): the old server's (10, 6), still in the
    pacer as the restart was heard, is not it. The old frames all play live, and the blackout falls after the new
    server's own (10, 6)."""
    cam = Cam()
    _old_frames_then_restart(cam, 10, 12, new_blocks=11)
    cam.at(0.1, state("blackout", [10, 6], block=11))
    cam.at(1.0, *block_messages(10))  # the new server's block, after the old frames played out (at 0.8 s)
    cam.run(until=2.0)
    shown = [frame for frame, _, _ in cam.ticks]
    last_old = shown.index((11, 11))
    assert all(out == frame and mode == "live" for frame, out, mode in cam.ticks[:last_old + 1])
    assert cam.changes() == [("blackout", (10, 6))] and cam.first("blackout") > last_old
    assert cam.screen.waiting() == 0


def test_a_restarted_servers_freeze_heard_over_an_old_frame_numbered_past_it_holds_its_own_frame():
    """The camera shows the old server's block 11 when the new server freezes at (10, 2): that old frame is past
    (10, 2) by its number only. The freeze holds the new server's (10, 2), not an old picture at once."""
    cam = Cam()
    _old_frames_then_restart(cam, 10, 12, new_blocks=11)
    cam.at(0.5, state("freeze", [10, 2], block=11))  # old (11, 3) or so on
    cam.at(1.0, *block_messages(10))
    cam.run(until=2.0)
    last_old = [frame for frame, _, _ in cam.ticks].index((11, 11))
    assert cam.times[last_old] > 0.5  # the freeze was heard over the old frames
    assert cam.changes() == [("freeze", (10, 2))] and cam.first("freeze") > last_old
    assert cam.held("freeze") == {(10, 2)}


def test_a_restarted_servers_state_is_not_read_against_the_old_servers_frames_as_another_restart():
    """The new server has made 10 blocks, past the held (9, 0): its freeze at (9, 2) and live at (9, 5) wait for its
    frames while the old server's block 11 plays. Its next state (a knob, the same screen) says 10 blocks, fewer
    than the old frame's block: that is no new restart, which would forget the freeze before its frame came."""
    cam = Cam()
    _old_frames_then_restart(cam, 9, 12, new_blocks=10)
    cam.at(0.1, state("freeze", [9, 2], block=10))
    cam.at(0.15, state("live", [9, 5], block=10))
    cam.at(0.9, state("live", [9, 5], block=10, seed=4))  # old (11, 2) or so on
    cam.at(1.3, *block_messages(9))  # the new server's block, after the old frames played out (at 1.2 s)
    cam.run(until=2.5)
    last_old = [frame for frame, _, _ in cam.ticks].index((11, 11))
    assert cam.times[last_old] > 0.9
    assert cam.changes() == [("freeze", (9, 2)), ("live", (9, 5))] and cam.first("freeze") > last_old
    assert cam.held("freeze") == {(9, 2)}


def test_a_restarted_servers_freeze_at_its_first_frames_waits_for_them_past_the_old_servers_still_buffered():
    """The new server has made no more blocks than the held (8, 0)'s: the old server's (8, 1) and on, still in the
    pacer, are numbered past its freeze at (3, 0), but are not its frames: they play live, and the freeze holds the
    new server's (3, 0)."""
    cam = Cam()
    _old_frames_then_restart(cam, 8, 10, new_blocks=4)
    cam.at(0.1, state("freeze", [3, 0], block=4))
    cam.at(1.0, *block_messages(3))
    cam.run(until=2.0)
    last_old = [frame for frame, _, _ in cam.ticks].index((9, 11))
    assert all(out == frame and mode == "live" for frame, out, mode in cam.ticks[:last_old + 1])
    assert cam.changes() == [("freeze", (3, 0))] and cam.held("freeze") == {(3, 0)}


def test_a_restarted_servers_change_at_its_first_frames_lost_on_the_way_lets_none_of_its_frames_out_unchanged():
    """The camera holds the old server's (9, 11) when the new one comes back from 0; its blackout at (2, 4) names a
    frame lost on the way with the ones before it, so its first frame here is (2, 5), below the held one: the
    blackout falls before that frame's picture, not a tick after it went out live."""
    cam = Cam()
    cam.at(0.0, state("live", [9, 0], block=10), *block_messages(9))
    cam.at(20.0, state("live", block=0))
    cam.at(20.5, state("blackout", [2, 4], block=3), *block_messages(2, lost=(0, 1, 2, 3, 4)))
    cam.run(until=22.0)
    assert cam.changes() == [("blackout", (9, 11))]  # after the old frame held, as (2, 5) came on
    assert all(out is None for shown, out, _ in cam.ticks if shown is not None and shown < (9, 0))
    assert cam.screen.waiting() == 0


def test_a_restarted_servers_blackout_at_a_frame_lost_on_the_way_falls_before_its_first_frame_past_the_held_one():
    """The camera holds the old server's (2, 11) when it comes back blacked out at (1, 4), having made 7 blocks: its
    own frames come numbered past the held one from (7, 0). Not one of them goes out live, though the frame the
    blackout names never comes: the first one is told as the new server's as it comes on screen."""
    cam = Cam()
    cam.at(0.0, state("live", [2, 5], block=3), *block_messages(2))
    cam.at(5.0, state("blackout", [1, 4], block=7))
    cam.at(5.2, *block_messages(7))
    cam.run(until=7.0)
    assert cam.changes() == [("blackout", (2, 11))]  # after the old frame held, before the new server's first
    assert all(out is None for shown, out, _ in cam.ticks if shown is not None and shown >= (7, 0))
    assert cam.screen.waiting() == 0


def test_frames_pushed_without_their_order_told_leave_no_restart_waiting_on_it():
    """A screen given the frames pushed but not the order each frame was pushed in cannot tell the old server's
    frames from the new one's by it: it goes by the numbers, and a stalled stream still makes the change waiting."""
    stall = threading.Event()
    screen = CamScreen(stalled=stall.is_set, pushed=lambda: 5)
    screen.shown(Shown(2, 11, 0.0))
    screen.heard({"screen": "live", "screen_at": [2, 5], "block": 3})
    screen.heard({"screen": "blackout", "screen_at": [1, 4], "block": 7})  # restarted, past the held block
    screen.heard({"screen": "freeze", "screen_at": [7, 3], "block": 8})
    screen.shown(Shown(7, 0, 1.0))
    screen.shown(Shown(7, 1, 1.1))
    assert (screen.screen, screen.waiting()) == ("blackout", 1)
    stall.set()  # (7, 3) never comes
    assert (screen.screen, screen.waiting()) == ("freeze", 0)


def test_a_restarted_servers_freeze_at_a_frame_lost_on_the_way_holds_its_first_frame_not_the_old_servers():
    """As the blackout above, but a freeze: made as the new server's first frame came on, it would hold the picture
    of the tick before, the old server's. It holds the new server's (7, 0), which it names as its frame."""
    cam = Cam()
    cam.at(0.0, state("live", [2, 5], block=3), *block_messages(2))
    cam.at(5.0, state("freeze", [1, 4], block=7))
    cam.at(5.2, *block_messages(7))
    cam.run(until=7.0)
    assert cam.held("freeze") == {(7, 0)} and cam.changes() == [("freeze", (7, 0))]
    assert cam.screen.waiting() == 0


def test_a_restarted_servers_freeze_below_the_held_frame_lost_on_the_way_holds_its_own_first_frame():
    """The new server has made no more blocks than the held (9, 11)'s; its freeze names (2, 4), lost on the way
    with the frames before it: the freeze holds its (2, 5), not the old server's picture."""
    cam = Cam()
    cam.at(0.0, state("live", [9, 0], block=10), *block_messages(9))
    cam.at(20.0, state("live", block=0))
    cam.at(20.5, state("freeze", [2, 4], block=3), *block_messages(2, lost=(0, 1, 2, 3, 4)))
    cam.run(until=22.0)
    assert cam.held("freeze") == {(2, 5)} and cam.screen.waiting() == 0


def test_a_restarted_servers_blackout_then_freeze_lost_on_the_way_go_black_then_hold_its_first_frame():
    """Both changes name frames lost on the way: the blackout falls before the new server's first picture, the
    freeze after it holds that picture, not the old server's."""
    cam = Cam()
    cam.at(0.0, state("live", [2, 5], block=3), *block_messages(2))
    cam.at(5.0, state("blackout", [1, 4], block=7), state("freeze", [1, 6], block=7))
    cam.at(5.2, *block_messages(7))
    cam.run(until=7.0)
    assert [mode for mode, _ in cam.changes()] == ["blackout", "freeze"]
    assert all(out is None for shown, out, mode in cam.ticks if shown is not None and mode != "freeze"
               and shown >= (7, 0))
    assert cam.held("freeze") == {(7, 0)}


def test_a_line_says_the_mode_the_changes_heard_bring_not_only_the_one_on_now():
    """Blacked out, then live at a frame not come yet, and the link dropped: the line said "the camera stays black"
    while the stall made live seconds later; a blackout waiting for its frame was said as "holding the last frame"."""
    from vcam.remote.camscreen import covering

    screen = CamScreen()
    screen.shown(Shown(8, 0, 0.0))
    screen.heard({"screen": "blackout", "screen_at": [8, 2]})
    assert screen.screen == "live" and covering(screen) == "the camera stays black (blackout)"
    screen.shown(Shown(8, 2, 1.0))
    screen.heard({"screen": "live", "screen_at": [9, 3]})
    assert screen.screen == "blackout" and covering(screen) is None
    screen.heard({"screen": "freeze", "screen_at": [9, 5]})
    assert covering(screen) == "the camera holds its frozen frame"
    assert covering(None) is None
