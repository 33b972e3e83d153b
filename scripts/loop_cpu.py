"""How much CPU does vcam's live loop spend outside the generator?

Runs `vcam run` in this process (model tiny, its blocks never computed: the stream's `next_block` hands out ready
832x480 frames at --gen-fps, as a GPU would) into the usual outputs: a camera (an in-memory pyvirtualcam backend,
as the tests use) at 30 frames/s and an MP4 recording, once per smoothing mode. Meanwhile /proc/self/task/*/stat
gives each thread's CPU seconds (utime+stime), named by Python's threads. With --spin the generator thread does pure
Python work until each block is due (a stand-in for the kernel launches a real generator makes from Python, which
need the GIL): the share of that work the rest of the loop takes away, against the same work alone, estimates how
much of the GIL the loop holds. With --serve it runs `vcam serve` instead, with no local output and one `vcam cam`
watching it from a process of its own (whose CPU is not counted).

    python scripts/loop_cpu.py [--seconds 20] [--gen-fps 10] [--modes none,fade,flow] [--spin] [--no-record] [--serve]

Prints one table per mode: CPU seconds per wall second for each thread, their total but the generator's, and its
lost share. Not a test: the numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

WIDTH, HEIGHT, BLOCK = 832, 480, 12
TICK = os.sysconf("SC_CLK_TCK")


def thread_cpu() -> dict[int, tuple[str, float]]:
    """Each of this process's threads: its /proc name and CPU seconds so far."""
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            text = Path(f"/proc/self/task/{tid}/stat").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        comm = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        out[int(tid)] = (comm, (int(fields[11]) + int(fields[12])) / TICK)
    return out


def spin_until(deadline: float) -> int:
    """Pure Python work (it holds the GIL) until `deadline`; how many rounds it made."""
    rounds = 0
    while time.monotonic() < deadline:
        x = 0
        for i in range(200):
            x += i * i
        rounds += 1
    return rounds


class FakeBlocks:
    """Stands in for the stream's `next_block`: ready frames, one block every BLOCK / gen_fps seconds."""

    def __init__(self, gen_fps: float, spin: bool) -> None:
        self.period = BLOCK / gen_fps
        self.spin = spin
        self.rounds = 0
        self.spun_s = 0.0
        self.due: float | None = None
        rng = np.random.default_rng(0)
        base = rng.integers(0, 256, (HEIGHT // 8, WIDTH // 8, 3), dtype=np.uint8)
        big = np.repeat(np.repeat(base, 8, axis=0), 8, axis=1)  # smooth enough for the flow to find motion
        self.frames = np.stack([np.roll(big, 4 * i, axis=1) for i in range(BLOCK)])
        self.n = 0

    def __call__(self, stream: object) -> np.ndarray:
        now = time.monotonic()
        self.due = (self.due or now) + self.period
        if self.due < now:  # fell behind (the camera held the producer back): no catching up in a burst
            self.due = now
        if self.spin:
            start = time.monotonic()
            self.rounds += spin_until(self.due)
            self.spun_s += time.monotonic() - start
        else:
            time.sleep(max(0.0, self.due - time.monotonic()))
        self.n += 1
        return np.roll(self.frames, 16 * self.n, axis=2)


def spin_alone(seconds: float) -> float:
    """Rounds per second of the spin with nothing else running."""
    start = time.monotonic()
    rounds = spin_until(start + seconds)
    return rounds / (time.monotonic() - start)


def watching_client(port: int) -> subprocess.Popen:
    """`vcam cam` watching the served show, in a process of its own (its CPU is not this one's)."""
    return subprocess.Popen([sys.executable, "-m", "vcam", "cam", f"ws://127.0.0.1:{port}", "--out", "null"],
                            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})


def measure(mode: str, seconds: float, gen_fps: float, spin: bool, outs: list[str] | None,
            serve: bool = False) -> dict:
    import memory_camera
    from vcam.engine.stream import Stream
    from vcam.live.run import run
    from vcam.live.settings import RunOptions

    fake = FakeBlocks(gen_fps, spin)
    original = Stream.next_block
    Stream.next_block = lambda self: fake(self)
    memory_camera.install()
    memory_camera.MemoryCamera.send = lambda self, frame: None  # a real device copies into the driver, no more
    names: dict[int, str] = {}
    samples: list[dict] = []
    done = threading.Event()

    def sample() -> None:
        # after a few seconds on air (the loading card and first blocks are not the steady state)
        time.sleep(4.0)
        while not done.is_set():
            for t in threading.enumerate():
                if t.native_id is not None:
                    names[t.native_id] = t.name
            samples.append({"t": time.monotonic(), "cpu": thread_cpu(), "rounds": fake.rounds,
                            "spun": fake.spun_s})
            if len(samples) > 1 and samples[-1]["t"] - samples[0]["t"] >= seconds:
                return
            done.wait(0.5)

    sampler = threading.Thread(target=sample, name="bench-sampler", daemon=True)
    sampler.start()
    status = io.StringIO()
    attach, client = None, None
    if serve:
        from helpers import free_port
        from vcam.remote.attach import attachment
        from vcam.remote.server import ServeSettings

        port = free_port()
        attach = attachment(ServeSettings(port=port))
        clients: list[subprocess.Popen] = []
        client = threading.Timer(2.0, lambda: clients.append(watching_client(port)))
        client.start()
    try:
        run(RunOptions(model="tiny", size=(WIDTH, HEIGHT), outs=outs, fps=30.0, duration=seconds + 6.0,
                       smooth=None if mode == "none" else mode, stdin=False, status_out=status, tuning=False,
                       serve=serve), attach)
    finally:
        if client is not None:
            client.cancel()
            for proc in clients:
                proc.terminate()
                proc.wait(30)
        done.set()
        Stream.next_block = original
        memory_camera.uninstall()
    first, last = samples[0], samples[-1]
    wall = last["t"] - first["t"]
    rows = {}
    for tid, (comm, cpu) in last["cpu"].items():
        before = first["cpu"].get(tid, (comm, 0.0))[1]
        name = names.get(tid, f"native: {comm}")  # a thread Python did not start (the encoder's, OpenMP's)
        if tid == threading.main_thread().native_id:
            name = "main"
        elif name.startswith("output-file:"):
            name = "output-file (MP4)"
        rows[name] = rows.get(name, 0.0) + (cpu - before) / wall
    spun = last["spun"] - first["spun"]
    rate = (last["rounds"] - first["rounds"]) / spun if spun > 0 else None
    return {"rows": rows, "wall": wall, "rate": rate, "status": status.getvalue()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="measured time per mode (after 4 s of warm-up)")
    ap.add_argument("--gen-fps", type=float, default=10.0, help="generated frames per second")
    ap.add_argument("--modes", default="none,fade,flow", help="--smooth modes to run, 'none' for repeated frames")
    ap.add_argument("--spin", action="store_true", help="the generator spins in Python (a GIL estimate)")
    ap.add_argument("--no-record", action="store_true", help="the camera only, no MP4 recording")
    ap.add_argument("--serve", action="store_true",
                    help="vcam serve instead, no local output, one vcam cam watching it from another process")
    args = ap.parse_args()
    alone = spin_alone(3.0) if args.spin else None
    outputs = ("vcam serve, no local output, one vcam cam client" if args.serve else
               "camera 30 frames/s" + ("" if args.no_record else " + MP4 recording"))
    print(f"{os.cpu_count()} CPUs; {WIDTH}x{HEIGHT}, generator {args.gen_fps:g} frames/s, {outputs}"
          f"{', generator spins in Python' if args.spin else ''}")
    with tempfile.TemporaryDirectory() as tmp:
        for mode in args.modes.split(","):
            outs = None if args.serve else ["vcam"] + ([] if args.no_record else [f"file:{tmp}/{mode}.mp4"])
            result = measure(mode, args.seconds, args.gen_fps, args.spin, outs, args.serve)
            rows = result["rows"]
            print(f"\n--smooth {mode}: CPU s per wall s over {result['wall']:.1f} s")
            generator = rows.pop("generator", None)
            for name, share in sorted(rows.items(), key=lambda kv: -kv[1]):
                if share >= 0.002:
                    print(f"  {name:<28} {share:6.3f}")
            print(f"  {'all but the generator':<28} {sum(rows.values()):6.3f}")
            if generator is not None:
                print(f"  {'(generator thread)':<28} {generator:6.3f}")
            if alone and result["rate"]:
                print(f"  generator's Python work lost to the loop: {100 * (1 - result['rate'] / alone):5.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
