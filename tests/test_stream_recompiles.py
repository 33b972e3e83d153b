"""scripts/stream_recompiles.py: streams one after another on one compiled engine, each with the graphs
torch.compile made during it (on the CPU, the tiny model)."""
import re

import pytest
import torch

from helpers import script_module

stream_recompiles = script_module("stream_recompiles")


@pytest.mark.slow
def test_a_second_stream_on_a_compiled_engine_compiles_nothing(capsys):
    torch._dynamo.reset()  # what earlier tests in this process compiled would serve the first stream
    with torch._dynamo.config.patch(recompile_limit=torch._dynamo.config.recompile_limit):  # the script sets it
        assert stream_recompiles.main(["--streams", "2", "--blocks", "1"]) == 0
    out = capsys.readouterr().out
    graphs = [int(n) for n in re.findall(r"^stream \d: (\d+) graphs compiled", out, re.M)]
    assert len(graphs) == 2 and graphs[0] > 0 and graphs[1] == 0, out
    assert "recompile limit 64" in out and "vae decode" in out
