"""What `--smooth flow` costs on this CPU: the flows of one pair of generated frames and one in-between frame warped
from them (both on the flow's worker thread, once per pair and once per in-between frame), and the cross-fade that
makes each camera frame from the two nearest (on the camera's thread), at 832×480 by default.

    python scripts/flow_cost.py [--size 832x480] [--repeat 20]

The frames are a blurred noise texture moved by a few pixels: DIS's cost hardly depends on the content. Each setting's
error is its middle frame's against the true one over the cross-fade's, for a textured square moving 12 pixels.
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


def texture(h: int, w: int, seed: int) -> np.ndarray:
    """Detail at several scales, as in a picture."""
    rng, out = np.random.default_rng(seed), np.zeros((h, w, 3), np.float32)
    for sigma, amplitude in ((1.5, 0.5), (4.0, 1.0), (10.0, 1.5)):
        noise = cv2.GaussianBlur(rng.standard_normal((h, w, 3)).astype(np.float32), (0, 0), sigma)
        out += amplitude * noise / noise.std()
    return np.clip(128 + 30 * out, 0, 255).astype(np.uint8)


def square_at(ground: np.ndarray, top: np.ndarray, shift: float) -> np.ndarray:
    """`top` over `ground` at a quarter of its size in, moved `shift` pixels right and half that down."""
    h, w = ground.shape[:2]
    move = np.float32([[1, 0, w / 4 + shift], [0, 1, h / 4 + shift / 2]])
    moved = cv2.warpAffine(top, move, (w, h), flags=cv2.INTER_LINEAR).astype(np.float32)
    mask = cv2.warpAffine(np.ones(top.shape[:2], np.float32), move, (w, h), flags=cv2.INTER_LINEAR)[..., None]
    return (ground * (1 - mask) + moved * mask).astype(np.uint8)


def error_ratio(flow: DisFlow, w: int, h: int, shift: float = 12.0) -> float:
    """The middle frame's mean error against the true one, by flow over by cross-fade, for a textured square moving
    `shift` pixels over a textured ground (lower is better; 1: no better than the cross-fade)."""
    ground, top = texture(h, w, 2), texture(h // 3, h // 3, 1)
    a, b, c = (square_at(ground, top, s) for s in (0.0, shift / 2, shift))

    def err(x):
        return float(np.abs(x.astype(np.float32) - b).mean())
    return err(interpolate(a, c, flow(a, c), 0.5)) / err(crossfade(a, c, 0.5))


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
                  f"warp per in-between frame {frame:5.1f} ms, error/cross-fade's {error_ratio(flow, w, h):.2f}"
                  f"{default}")


if __name__ == "__main__":
    main()
