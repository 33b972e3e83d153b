"""vcam: Krea Realtime 14B as a live virtual camera.

    import vcam
    engine = vcam.load("tiny")                      # or "krea-14b" (CUDA), weights="DIR" for a local folder
                                                    # speed=vcam.SpeedOptions(compile=True) for speed paths
    stream = engine.stream("a neon city at night", seed=1)
    frames = stream.next_block()                    # uint8 [n, H, W, 3]
    stream.set_prompt({"a neon city": 0.7, "a forest": 0.3}, transition=4)
    stream.set_input(clip, strength=0.6)            # restyle a video: uint8 RGB [n, h, w, 3] (looped), an image
                                                    # [h, w, 3] or a frame source; strength 1.0 = text only
    stream.bias = 0.3                               # Krea's attention bias on the past latents (1 = off)

The package imports torch only when these names are first used, so light tools can import vcam without it.
"""
# Nothing is imported here as the package loads (typing took milliseconds): `python -m vcam` and the `vcam` command
# load it before vcam/__main__.py can take a Ctrl-C, which until then prints a traceback. Type checkers read the
# name below as typing's.
TYPE_CHECKING = False

__version__ = "0.1.0"
__all__ = ["load", "Engine", "Stream", "StreamSettings", "SpeedOptions", "VcamError", "MODELS"]

if TYPE_CHECKING:
    from vcam.engine.configs import MODELS
    from vcam.engine.load import Engine, load
    from vcam.errors import VcamError
    from vcam.engine.speed import SpeedOptions
    from vcam.engine.stream import Stream, StreamSettings

_WHERE = {
    "load": "vcam.engine.load",
    "Engine": "vcam.engine.load",
    "Stream": "vcam.engine.stream",
    "StreamSettings": "vcam.engine.stream",
    "VcamError": "vcam.errors",
    "SpeedOptions": "vcam.engine.speed",
    "MODELS": "vcam.engine.configs",
}


def __getattr__(name: str):
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'vcam' has no attribute {name!r}")
