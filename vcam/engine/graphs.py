"""The transformer passes of a stream, run directly or replayed as CUDA graphs.

A stream makes passes of two kinds, each with fixed shapes: at cache offset 0 (the recompute, and the first
block's passes) and after the context (every later denoising pass). A graph per kind is captured the first time
it runs and replayed from then on, which removes the Python and kernel-launch time of ~1000 kernels per pass.
Its inputs live in fixed buffers: the latents and timesteps are copied in on every pass, the text K/V only when
the prompt changed (a transition changes it every block). The KV cache is the stream's own and never moves.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor

from vcam.engine.model import CausalWanModel, KVCache, TextKV


class Passes:
    """Runs a pass directly."""

    def __init__(self, model: CausalWanModel, cache: KVCache):
        self.model = model
        self.cache = cache

    def __call__(self, x: Tensor, t: Tensor, text: TextKV, frame_start: int, cache_start: int) -> Tensor:
        return self.model(x, t, text, frame_start=frame_start, cache=self.cache, cache_start=cache_start)


@dataclass
class _Graph:
    x: Tensor
    t: Tensor
    text: TextKV
    text_source: TextKV | None
    out: Tensor | None = None
    replay: Callable[[], None] | None = None


class GraphedPasses(Passes):
    """Runs each kind of pass as a CUDA graph. With `emulate`, "replaying" calls the model on the fixed
    buffers instead: the same bookkeeping without CUDA, which is how the CPU tests check it."""

    def __init__(self, model: CausalWanModel, cache: KVCache, emulate: bool = False):
        super().__init__(model, cache)
        self.emulate = emulate
        self._graphs: dict[tuple, _Graph] = {}
        self._pool = None  # one memory pool for every graph of the stream: they never run at the same time
        self.captures = 0

    def __call__(self, x: Tensor, t: Tensor, text: TextKV, frame_start: int, cache_start: int) -> Tensor:
        key = (tuple(x.shape), tuple(t.shape), frame_start, cache_start)
        graph = self._graphs.get(key)
        if graph is None:
            graph = self._graphs[key] = self._capture(x, t, text, frame_start, cache_start)
        else:
            graph.x.copy_(x)
            graph.t.copy_(t)
            if graph.text_source is not text:
                graph.text.k.copy_(text.k)
                graph.text.v.copy_(text.v)
                graph.text_source = text
        graph.replay()
        return graph.out

    def _capture(self, x: Tensor, t: Tensor, text: TextKV, frame_start: int, cache_start: int) -> _Graph:
        g = _Graph(x.clone(), t.clone(), TextKV(text.k.clone(), text.v.clone()), text)
        run = lambda: Passes.__call__(self, g.x, g.t, g.text, frame_start, cache_start)  # noqa: E731
        self.captures += 1
        if self.emulate:
            def replay() -> None:
                g.out = run()

            g.replay = replay
            return g
        # Kernels choose their algorithms and allocate workspaces on first use: do that outside the capture, on
        # a side stream as PyTorch asks. These runs write the same K/V the real pass writes.
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(2):
                run()
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        before = torch.cuda.current_stream()
        try:
            # thread_local: prompts may be encoded on the GPU by another thread meanwhile, which is safe here.
            # Each graph's output stays referenced (g.out), so a later capture in the shared pool never takes
            # its memory.
            with torch.cuda.graph(graph, pool=self._pool, capture_error_mode="thread_local"):
                g.out = run()
        finally:
            torch.cuda.set_stream(before)  # a failed capture would otherwise leave this thread on its stream
        self._pool = graph.pool()
        g.replay = graph.replay
        return g
