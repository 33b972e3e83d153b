"""What `--smooth flow` costs on this CPU: the flows of one pair of generated frames and one in-between frame warped
from them (both on the flow's worker thread, once per pair and once per in-between frame), and the cross-fade that
makes each camera frame from the two nearest (on the camera's thread), at 832×480 by default.

    python scripts/flow_cost.py [--size 832x480] [--repeat 20]

The frames are a blurred noise texture moved by a few pixels: DIS's cost hardly depends on the content.
"""
from __future__ import annotations

import argparse
import statistics
import time

import cv2
import numpy as np

from vcam.live.frames import crossfade
from vcam.live.interp import DisFlow, FlowSettings, interpolate, pixel_grid


def moving_pair(w: int, h: int, dx: int = 6, dy: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    big = cv2.GaussianBlur(rng.integers(0, 256, (h + 32, w + 32, 3), dtype=np.uint8), (0, 0), 3)
    return (np.ascontiguousarray(big[16:16 + h, 16:16 + w]),
            np.ascontiguousarray(big[16 + dy:16 + dy + h, 16 + dx:16 + dx + w]))


def median_ms(fn, repeat: int) -> float:
    fn()  # warm-up: OpenCV allocates on the first call
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", default="832x480")
    p.add_argument("--repeat", type=int, default=20)
    args = p.parse_args()
    w, h = (int(v) for v in args.size.lower().split("x"))
    a, b = moving_pair(w, h)
    grid = pixel_grid(h, w)
    print(f"{w}x{h}, OpenCV {cv2.__version__} with {cv2.getNumThreads()} threads; median of {args.repeat} runs")
    print(f"  cross-fade, per camera frame (the camera's thread): "
          f"{median_ms(lambda: crossfade(a, b, 0.4), args.repeat):.1f} ms")
    for preset in ("ultrafast", "fast"):
        for scale in (1.0, 0.5):
            flow = DisFlow(FlowSettings(preset=preset, scale=scale))
            pair = median_ms(lambda: flow(a, b), args.repeat)
            flows = flow(a, b)
            frame = median_ms(lambda: interpolate(a, b, flows, 0.4, grid), args.repeat)
            default = "  (the default)" if (preset, scale) == (FlowSettings.preset, FlowSettings.scale) else ""
            print(f"  flow {preset:9s} at {scale:g}×: both flows per pair {pair:6.1f} ms, "
                  f"warp per in-between frame {frame:5.1f} ms{default}")


if __name__ == "__main__":
    main()
