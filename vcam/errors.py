"""Errors a user can act on: each says what went wrong and what to do about it."""
from __future__ import annotations


class VcamError(Exception):
    """Base of every error vcam reports to the user as one clear message (the CLI prints it and exits 2)."""

    def __init__(self, message: str, fix: str = ""):
        self.message = message
        self.fix = fix
        super().__init__(f"{message}\n  fix: {fix}" if fix else message)


class NoGPUError(VcamError):
    pass


class NotEnoughVRAMError(VcamError):
    pass


class WeightsError(VcamError):
    """Weights missing, partial, damaged, or not the checkpoint the model expects."""
