"""What the card's memory holds, for the status line."""
from __future__ import annotations

import torch


def card_memory_gb(device: torch.device) -> tuple[float, float]:
    """(used, total) GiB of the card, every process counted: what an operator needs to see coming."""
    free, total = torch.cuda.mem_get_info(device)
    return (total - free) / 1024**3, total / 1024**3
