"""The pacer under blocks that come several at a time (a link that bundles them), held up by a stall, or trickling in
behind: cut only where the picture has truly fallen behind, never at the link's own rhythm."""
import re

import pytest

from test_pacer import FakeTime, frame, longest_hold, run_for
from vcam.live.pacer import OUTLIER_RATIO, Pacer, PacerSettings

RATE = 8.0  # the server's frames/s
BLOCK = 12
MADE_EVERY = BLOCK / RATE


def serve(blocks, until, max_latency=4.0):
    """Pushes block k at `blocks[k]` (when it arrives) to a 30 fps camera; returns the pacer, the frames shown, and
    their times."""
    ft = FakeTime(oversleep=0.003)
    pacer = Pacer(PacerSettings(fps=30.0, max_latency=max_latency), clock=ft.clock)
    for k, at in enumerate(blocks):
        ft.events.append((at, lambda k=k: pacer.push([frame(i) for i in range(BLOCK * k, BLOCK * k + BLOCK)])))
    shown, times, _ = run_for(ft, pacer, until)
    return pacer, shown, times


def bundled(size, until, spacing=0.02):
    """Arrival times of blocks made every MADE_EVERY s that a link holds and sends `size` at a time, back to back
    (`spacing` apart), as the bundle's last block is made."""
    arrivals, k = [], 0
    while MADE_EVERY * (k + size) < until:
        sent = MADE_EVERY * (k + size)
        arrivals += [sent + spacing * j for j in range(size)]
        k += size
    return arrivals


@pytest.mark.parametrize("size", [2, 3, 4])
@pytest.mark.parametrize("spacing", [0.02, 0.15])
def test_blocks_a_link_bundles_play_whole_without_a_jump(size, spacing):
    # Three blocks of 12 every 4.5 s at 8 frames/s (a wifi link bundling them) were cut at every bundle, down to two
    # blocks waiting: 27 frames dropped and the picture frozen 43 ticks, a jump and a freeze every 4.5 s. The gap
    # after a bundle drains it: every frame plays, in order, and the longest hold is what the latency cap leaves
    # (each bundle shown within 4 s of coming, a 4.5 s gap leaves 0.5 s), a frame's own time or two aside. (The show's
    # first bundle, before any rate: test_the_shows_first_bundle_is_read_whole_however_its_blocks_trickle_in.)
    pacer, shown, times = serve(bundled(size, 60.0, spacing), 60.0)
    late = [(s, t) for s, t in zip(shown, times) if t > 2 * size * MADE_EVERY + 1.0]
    assert pacer.stats.dropped == 0
    assert all(b[0] - a[0] in (0, 1) for a, b in zip(late, late[1:]))
    cycle = size * MADE_EVERY
    assert longest_hold(shown, times, after=25.0) / 30.0 <= max(0.0, cycle - 4.0) + 2 / RATE


@pytest.mark.parametrize("size, spacing", [(4, 0.15), (4, 0.18), (5, 0.12), (3, 0.15)])
def test_the_shows_first_bundle_is_read_whole_however_its_blocks_trickle_in(size, spacing):
    # Four blocks 0.15 s apart as the show starts: the first arrival closed 0.4 s after its first block, so the
    # fourth came apart and, read with the third alone, said 80 frames/s for a server at 8: 40 frames passed over
    # in the show's first seconds. Read as one bundle, every frame of it comes on screen, in order, and the next
    # bundles read the server's own rate.
    pacer, shown, times = serve(bundled(size, 3 * size * MADE_EVERY + 1.0, spacing), 3 * size * MADE_EVERY + 1.0)
    generated = sorted(set(shown))
    assert pacer.stats.skipped == 0 and pacer.stats.dropped == 0
    assert generated == list(range(len(generated))) and len(generated) > 2 * size * BLOCK
    assert all(b >= a for a, b in zip(shown, shown[1:]))
    assert abs(pacer.stats.production_fps - RATE) <= 0.1 * RATE


def test_the_shows_first_bundle_plays_near_the_servers_pace_not_rushed_then_frozen():
    # Four blocks at once 6 s into the show, before any rate: played a frame a tick (30 frames/s for a server at 8),
    # then the picture froze 133 ticks for the next bundle, twice as long as any bundle after. From the time since
    # the camera's first tick they play near the server's pace, the latency cap binding, and hold no longer than later.
    pacer, shown, times = serve(bundled(4, 40.0), 40.0)
    came_on = {}
    for s, t in zip(shown, times):
        came_on.setdefault(s, t)
    bundle = 4 * BLOCK
    assert (bundle - 1) / (came_on[bundle - 1] - came_on[0]) <= 2 * RATE
    assert longest_hold(shown, times, after=0.0) <= longest_hold(shown, times, after=25.0) + 2 * 30 / RATE
    assert pacer.stats.dropped == 0 and pacer.stats.skipped == 0



@pytest.mark.parametrize("first_at", [6.0, 30.0])
def test_a_first_bundle_that_was_a_backlog_plays_out_when_the_next_blocks_come_steadily(first_at):
    # Four blocks at once `first_at` s after the camera's first tick (a server's first 6 s held up on the link, or
    # its blocks from before a client joined 30 s into its retries), then a block every 1.5 s. Played at the pace
    # since the first tick, the bundle was still waiting as the steady blocks came and was cut as a backlog: 17 to 20
    # frames dropped in the show's first seconds. Every frame comes on screen, in order, and the latency comes down.
    blocks = [first_at + 0.15 * j for j in range(4)] + [first_at + MADE_EVERY * k for k in range(1, 12)]
    pacer, shown, times = serve(blocks, blocks[-1] + 1.0)
    assert pacer.stats.dropped == 0 and pacer.stats.skipped == 0
    generated = sorted(set(shown))
    assert generated == list(range(len(generated))) and len(generated) > (len(blocks) - 1) * BLOCK
    assert all(b >= a for a, b in zip(shown, shown[1:]))
    assert pacer.stats.latency <= MADE_EVERY  # no more than a block's time behind, as the steady blocks leave it


def test_with_room_under_the_latency_cap_bundled_blocks_hold_no_longer_than_a_block_made_late():
    # the same three at a time under --max-latency 6: nothing cut, and no freeze of the cap's making either
    pacer, shown, times = serve(bundled(3, 60.0), 60.0, max_latency=6.0)
    assert pacer.stats.dropped == 0
    assert longest_hold(shown, times, after=25.0) / 30.0 <= 3 * MADE_EVERY / 4  # was 45 ticks, 1.5 s


def test_a_stall_in_a_bundling_link_is_still_cut_back_near_live():
    # bundles of three, then the link stalls 6 s: what it held comes at once, far more than a bundle, and is cut as it
    # comes; the bundles after it play whole again
    arrivals = [max(t, 26.02) if 20.0 <= t <= 26.02 else t for t in bundled(3, 60.0)]
    pacer, shown, times = serve(sorted(arrivals), 60.0)
    assert pacer.stats.dropped >= 2 * BLOCK
    after = [(s, t) for s, t in zip(shown, times) if t > 31.0]
    assert all(b[0] - a[0] in (0, 1) for a, b in zip(after, after[1:]))
    assert len(set(shown)) + pacer.stats.dropped + pacer.stats.skipped == max(shown) + 1  # each frame lost is counted


def stalled(length, spacing, until=45.0, at=15.0):
    """Arrival times of blocks made every MADE_EVERY s whose link stalls `length` s from `at`, then lets what it held
    through `spacing` apart."""
    back, held, arrivals = at + length, 0, []
    for k in range(int(until / MADE_EVERY)):
        made = MADE_EVERY * (k + 1)
        if at <= made <= back:
            arrivals.append(back + spacing * held)
            held += 1
        else:
            arrivals.append(made)
    return arrivals, back


def serve_stalled(arrivals, until):
    ft = FakeTime()
    pacer = Pacer(PacerSettings(fps=30.0), clock=ft.clock)
    for k, at in enumerate(arrivals):
        ft.events.append((at, lambda k=k: pacer.push([frame(i) for i in range(BLOCK * k, BLOCK * k + BLOCK)])))
    shown, times, seen = run_for(ft, pacer, until, observe=lambda: (pacer.stats.dropped, pacer.stats.production_fps))
    return pacer, shown, times, seen


@pytest.mark.parametrize("spacing", [0.02, 0.15, 0.5])
def test_blocks_held_up_by_a_stall_are_read_at_the_servers_rate_and_cut_as_they_come(spacing):
    # After a 6 s stall the blocks held up come one after another, as fast as the link reads them (0.5 s apart: a
    # block's ticks and more). Each read alone said 24 frames/s or more for a server at 8: two in a row were taken
    # as its rate, the picture played fast with frames passed over, and read so fast they were never cut. Held up
    # together they are one arrival far larger than the ones before: the rate stays, and they are cut as they come,
    # before the next block made after the stall
    arrivals, back = stalled(6.0, spacing)
    pacer, shown, times, seen = serve_stalled(arrivals, 40.0)
    assert all(abs(rate - RATE) < 1.0 for _, rate in seen[len(seen) // 4:])
    first_cut = next(t for t, (dropped, _) in zip(times, seen) if dropped)
    assert back <= first_cut < back + 4 * spacing + MADE_EVERY
    assert pacer.stats.dropped >= 2 * BLOCK and pacer.stats.skipped == 0
    made = [MADE_EVERY * (k + 1) for k in range(len(arrivals))]
    delays = [t - made[s // BLOCK] for s, t in zip(shown, times)]
    usual = max(d for d, t in zip(delays, times) if 5.0 < t < 15.0)
    assert max(d for d, t in zip(delays, times) if t > back + 6.0) < usual + 1.0


@pytest.mark.parametrize("late_by", [0.5, 0.3])
def test_blocks_late_by_the_same_every_other_time_are_read_at_the_servers_rate(late_by):
    # every other block 0.5 s late at 8 frames/s: it comes 1 s before the next, exactly half the 2 s gap before it,
    # too late to join it as a pair. Read alone the blocks said 12 and 6 frames/s, the slow ones each left out as a
    # hiccup: the status line read 12 frames/s and the picture played each pair fast, then held 28 ticks
    arrivals = [MADE_EVERY * (k + 1) + (late_by if k % 2 == 0 else 0.0) for k in range(40)]
    ft = FakeTime()
    pacer = Pacer(PacerSettings(fps=30.0), clock=ft.clock)
    for k, at in enumerate(arrivals):
        ft.events.append((at, lambda k=k: pacer.push([frame(i) for i in range(BLOCK * k, BLOCK * k + BLOCK)])))
    shown, times, rates = run_for(ft, pacer, arrivals[-1], observe=lambda: pacer.stats.production_fps)
    assert all(abs(r - RATE) < 1.0 for r, t in zip(rates, times) if t > 20.0)
    assert longest_hold(shown, times, after=20.0) / 30.0 <= 2 / RATE
    assert pacer.stats.dropped == pacer.stats.skipped == 0


def test_a_block_late_once_between_two_on_time_is_not_read_as_a_rhythm_of_pairs():
    # a link that holds some blocks back 1 to 2.5 s: a block 1.2 s late between one just after a pair (read 11.9
    # frames/s) and one on time (8.0) read with the on-time one 5.7 frames/s, taken as the rate since the late one,
    # read alone, had been left out as slow the same way: the picture in slow motion for a server at 8
    delays = [1.2, 2.5, 1.0] + [0.02] * 5 + [2.5, 1.2, 2.5, 1.0, 0.02, 2.5, 2.5, 1.0, 1.2, 0.02, 1.2, 1.2] + [0.02] * 8
    arrivals, last = [], 0.0
    for k, delay in enumerate(delays):
        last = max(last + 0.005, MADE_EVERY * (k + 1) + delay)
        arrivals.append(last)
    ft = FakeTime(oversleep=0.003)
    pacer = Pacer(PacerSettings(fps=30.0), clock=ft.clock)
    for k, at in enumerate(arrivals):
        ft.events.append((at, lambda k=k: pacer.push([frame(i) for i in range(BLOCK * k, BLOCK * k + BLOCK)])))
    _, times, rates = run_for(ft, pacer, arrivals[-1], observe=lambda: pacer.stats.production_fps)
    assert all(abs(r - RATE) < 1.5 for r, t in zip(rates, times) if t > 10.0)


@pytest.mark.parametrize("max_latency", [1.0, 10.0])
def test_bundled_blocks_still_come_on_screen_within_the_latency_cap(max_latency):
    # played whole rather than cut, a bundle still binds to --max-latency: under 1 s, what the camera cannot show
    # within it is dropped or passed over; under 10 s, three blocks every 4.5 s all play
    arrivals = bundled(3, 40.0)
    pacer, shown, times = serve(arrivals, 40.0, max_latency=max_latency)
    came = {}  # each frame's first tick on screen: a last frame held through the gap after is not late
    for s, t in zip(shown, times):
        came.setdefault(s, t)
    late = [t - arrivals[s // BLOCK] for s, t in came.items()]
    assert max(late) <= max_latency + 1 / 30.0
    assert (pacer.stats.dropped + pacer.stats.skipped == 0) == (max_latency > 3 * MADE_EVERY)


def test_the_local_models_first_blocks_after_a_long_load_play_a_frame_a_tick_not_at_the_caps_pace():
    # The local model loads for a minute while the camera ticks; its first two blocks, made 0.2 s apart, then one
    # every 0.5 s. Read as a link's first bundle over the minute since the first tick (0.4 frames/s), they played at
    # the cap's pace: the first second of the show in slow motion. The generator's blocks are not held up on the way.
    ft = FakeTime(oversleep=0.003)
    pacer = Pacer(PacerSettings(fps=30.0, max_latency=4.0, producer_waits=True), clock=ft.clock)
    pushes = [60.0, 60.2] + [60.2 + 0.5 * k for k in range(1, 10)]
    for k, at in enumerate(pushes):
        ft.events.append((at, lambda k=k: pacer.push([frame(i) for i in range(BLOCK * k, BLOCK * k + BLOCK)])))
    shown, times, _ = run_for(ft, pacer, 64.0)
    came_on = {}
    for s, t in zip(shown, times):
        came_on.setdefault(s, t)
    assert all(i in came_on for i in range(2 * BLOCK))
    # from the second block on, the two a frame a tick (slow motion played them over 1.37 s), two ticks to spare
    assert came_on[2 * BLOCK - 1] - came_on[0] <= pushes[1] - pushes[0] + (2 * BLOCK + 1) / 30.0


@pytest.mark.parametrize("size", [3, 4])
@pytest.mark.parametrize("late", [0.4, 0.5, 0.6])
def test_a_last_block_of_the_shows_first_bundle_that_comes_apart_is_read_with_the_bundle(size, late):
    # The first bundle's blocks back to back but its last one `late` s after the rest: read with the one before it
    # alone, it said 20 to 30 frames/s for a server at 8, the first rate, and the next bundle, read at 8, was left out
    # as a hiccup: the picture played fast for two bundles (12 s) and up to 11 frames were passed over. The last
    # block joins the bundle it came with, and the first rate read is the server's.
    arrivals = bundled(size, 62.0)
    arrivals[size - 1] = arrivals[size - 2] + late
    ft = FakeTime(oversleep=0.003)
    pacer = Pacer(PacerSettings(fps=30.0), clock=ft.clock)
    for k, at in enumerate(arrivals):
        ft.events.append((at, lambda k=k: pacer.push([frame(i) for i in range(BLOCK * k, BLOCK * k + BLOCK)])))
    _, _, rates = run_for(ft, pacer, 62.0, observe=lambda: pacer.stats.production_fps)
    assert max(rates) <= OUTLIER_RATIO * RATE
    assert pacer.stats.skipped == 0 and pacer.stats.dropped == 0


@pytest.mark.parametrize("making", [1.1, 0.6])
def test_the_local_models_first_block_alone_plays_at_the_pace_it_was_made_not_the_caps(making):
    # The generator's first block (6 frames) made in `making` s, then a block of 12 every `making` s: alone, before
    # any rate, the first block played at the pace the 4 s cap needs, its first frame held 0.8 s and the block's
    # six spread over 1.4 s (slow motion) until the second came. It plays at the pace it was made.
    ft = FakeTime()
    pacer = Pacer(PacerSettings(fps=30.0, max_latency=4.0, producer_waits=True, block_frames=BLOCK), clock=ft.clock)
    made = [0]

    def poll():
        ft.events.append((ft.now + 0.01, poll) if pacer.full() else (ft.now + making, produce))

    def produce():
        n = BLOCK if made[0] else BLOCK // 2
        pacer.push([frame(i) for i in range(made[0], made[0] + n)])
        made[0] += n
        ft.events.append((ft.now, poll))

    ft.events.append((30.0, poll))  # after the model's load
    shown, times, _ = run_for(ft, pacer, 36.0)
    came_on = {}
    for s, t in zip(shown, times):
        came_on.setdefault(s, t)
    first = [came_on[i] for i in range(BLOCK // 2)]
    assert max(b - a for a, b in zip(first, first[1:])) <= making / (BLOCK // 2) + 2 / 30.0
    assert pacer.stats.dropped == pacer.stats.skipped == 0 and all(b - a in (0, 1) for a, b in zip(shown, shown[1:]))


@pytest.mark.parametrize("spacing", [0.15, 0.3, 0.5])
def test_blocks_held_up_by_a_stall_and_trickling_in_are_cut_in_one_jump(spacing):
    # After a 6 s stall the link lets the blocks it held through `spacing` apart, in order. Cut as each came, down to
    # two blocks before the newest, the picture made three or four jumps of 5 to 12 frames within two seconds. Cut
    # once they stop coming, it makes one, before the next block made after the stall.
    arrivals, back = stalled(6.0, spacing)
    for k in range(1, len(arrivals)):
        arrivals[k] = max(arrivals[k], arrivals[k - 1] + 0.005)  # a link delivers in order
    _, shown, times, _ = serve_stalled(arrivals, 30.0)
    trickled = max(t for t in arrivals if t < back + 5 * spacing)
    jumps = [t for a, b, t in zip(shown, shown[1:], times[1:]) if b - a > 1 and back <= t]
    assert len(jumps) >= 1 and jumps[0] < trickled + MADE_EVERY
    assert len([t for t in jumps if t < trickled + MADE_EVERY]) == 1


def test_a_link_that_bundles_blocks_further_apart_than_the_cap_is_told_the_max_latency_that_holds_them_less():
    # Four at a time every 6 s at the default 4 s cap: each bundle is played within the cap, faster than it was made,
    # then its last frame held 2 s for the next, and nothing said that a larger --max-latency holds it less. The line
    # names the link's rhythm, the hold and the one a cap it names leaves, both as they come on screen.
    pacer, shown, times = serve(bundled(4, 60.0), 60.0)
    line = pacer.bundles_held()
    assert line is not None and "4 at a time every 6.0 s" in line
    said = r"holds (\S+) s after each bundle; give --max-latency (\S+) to hold it (\S+) s"
    [(now, given, then)] = re.findall(said, line)
    assert f"(the picture up to {given} s behind)" in line  # the cap it names, not the hold, is how far behind
    held = longest_hold(shown, times, after=25.0)
    assert abs(held / 30.0 - float(now)) <= 0.1
    pacer, shown, times = serve(bundled(4, 60.0), 60.0, max_latency=float(given))
    assert pacer.bundles_held() is None and abs(longest_hold(shown, times, after=25.0) / 30.0 - float(then)) <= 0.1


@pytest.mark.parametrize("arrivals", [bundled(2, 60.0), [MADE_EVERY * (k + 1) for k in range(40)], bundled(3, 60.0)])
def test_a_link_whose_bundles_or_blocks_fit_the_cap_is_told_nothing(arrivals):
    # triples every 4.5 s at the 4 s cap hold 14 ticks a bundle, 11 of them the buffer's nudge's own: the
    # --max-latency 5 offered held 11, the picture a second further behind for a tenth of a second
    pacer, _, _ = serve(arrivals, 60.0)
    assert pacer.bundles_held() is None


def test_vcam_cam_says_once_that_its_link_bundles_blocks_past_the_cap():
    from vcam.remote.blocks import Blocks
    from vcam.remote.protocol import FrameHeader

    ft = FakeTime(oversleep=0.003)
    pacer = Pacer(PacerSettings(fps=30.0), clock=ft.clock)
    said: list[str] = []
    blocks = Blocks(pacer, said.append)

    def receive(k):
        for i in range(BLOCK):
            header = FrameHeader(seq=BLOCK * k + i, block=k, index=i, count=BLOCK, sent_at=0.0, width=4, height=4)
            blocks.add(header, frame(BLOCK * k + i))
            blocks.end_if_last(header)

    for k, at in enumerate(bundled(4, 60.0)):
        ft.events.append((at, lambda k=k: receive(k)))
    run_for(ft, pacer, 60.0)
    assert said == [pacer.bundles_held()] and "give --max-latency 6 " in said[0]


@pytest.mark.parametrize("length, spacing", [(20.0, 0.5), (20.0, 0.9), (6.0, 0.9)])
def test_blocks_trickling_in_long_after_a_stall_are_cut_late_but_never_shown_past_the_cap(length, spacing):
    # Held-up blocks let through one by one wait to be cut until they stop coming: a link that drains a 20 s stall
    # a block every 0.5 to 0.9 s keeps them coming for seconds. Meanwhile no frame comes on screen past the cap.
    arrivals, back = stalled(length, spacing, until=60.0)
    for k in range(1, len(arrivals)):
        arrivals[k] = max(arrivals[k], arrivals[k - 1] + 0.005)
    _, shown, times, _ = serve_stalled(arrivals, 60.0)
    came = {}
    for s, t in zip(shown, times):
        came.setdefault(s, t)
    assert max(t - arrivals[s // BLOCK] for s, t in came.items()) <= 4.0 + 1 / 30.0
    assert all(b >= a for a, b in zip(shown, shown[1:]))


@pytest.mark.parametrize("arrivals", [
    [MADE_EVERY * (k + 1) + (5.5 - (MADE_EVERY * (k + 1)) % 9.0 if (MADE_EVERY * (k + 1)) % 9.0 < 5.5 else 0.0)
     + 0.02 * k for k in range(40)],  # a link that stalls 5.5 s every 9 s
    [30.0 + 0.2 * k for k in range(150)],  # a server at 60 frames/s after a 30 s warm-up
    [30.0 + 0.02 * (k % 3) + MADE_EVERY * 3 * (k // 3) for k in range(3)] + [40.0 + MADE_EVERY * k for k in range(20)],
])
def test_a_link_with_stalls_a_fast_server_or_one_early_bundle_is_not_told_to_raise_the_cap(arrivals):
    pacer, _, _ = serve(sorted(arrivals), max(arrivals) + 1.0)
    assert pacer.bundles_held() is None


@pytest.mark.parametrize("making", [[3.0], [40.0, 1.0], [0.5, 1.0]])
def test_the_local_models_first_block_made_slowly_or_in_warm_up_still_comes_on_screen_within_the_cap(making):
    # the first block's pace is how long it took: a generator slower than the camera, or a first block that took a
    # compile's 40 s, plays it no slower than the cap allows, and every frame comes on, in order
    ft = FakeTime()
    pacer = Pacer(PacerSettings(fps=30.0, max_latency=4.0, producer_waits=True, block_frames=BLOCK), clock=ft.clock)
    made, pushed = [0], {}

    def poll():
        took = making[min(1, len(making) - 1)] if pushed else making[0]
        ft.events.append((ft.now + 0.01, poll) if pacer.full() else (ft.now + took, produce))

    def produce():
        n = BLOCK if made[0] else BLOCK // 2
        pushed.update((i, ft.now) for i in range(made[0], made[0] + n))
        pacer.push([frame(i) for i in range(made[0], made[0] + n)])
        made[0] += n
        ft.events.append((ft.now, poll))

    ft.events.append((5.0, poll))
    shown, times, _ = run_for(ft, pacer, 5.0 + sum(making) + 6 * max(making[-1], 1.0))
    came = {}
    for s, t in zip(shown, times):
        came.setdefault(s, t)
    assert sorted(came) == list(range(len(came))) and len(came) > BLOCK
    assert max(t - pushed[s] for s, t in came.items()) <= 4.0 + 1 / 30.0
    assert pacer.stats.dropped == pacer.stats.skipped == 0
