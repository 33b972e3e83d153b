"""The size and precision a show picks when given neither: the rule on a table of cards (no GPU needed), the tuned
rates it trusts over predictions, and the command line that says what it chose."""
import dataclasses
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch

from vcam.bench import live_size as live_size_module
from vcam.bench.cards import CARDS
from vcam.bench.live_size import (LIVE_SIZES, QUANT_ORDER, Rate, card_rates, choose_size, sizes_for)
from vcam.bench.predict import H200, fits_card, predict
from vcam.bench.tuning import TuneResult, TuningKey, Trial, _save_entry, measured_rates
from vcam.engine.speed import SpeedOptions
from vcam.sizes import check_size

TARGET = 10.0


def model_rates(card):
    def rate_of(w, h, q):
        p = predict(card, w, h, q)
        return Rate(p.frames_per_second, measured=False) if p else None

    return rate_of


def picked(choice):
    return choice.width, choice.height, choice.quant


def card_choice(card, target=TARGET):
    return choose_size(model_rates(card), target, LIVE_SIZES, lambda w, h, q: fits_card(card, w, h, q),
                       card=card.name)


def test_the_standard_sizes_are_valid_largest_first_and_keep_the_aspect():
    areas = [w * h for w, h in LIVE_SIZES]
    assert areas == sorted(areas, reverse=True) and LIVE_SIZES[0] == (832, 480)
    for w, h in LIVE_SIZES:
        check_size(w, h)
        assert w / h == pytest.approx(832 / 480, rel=0.05)
    assert sizes_for((480, 832))[0] == (480, 832) and all(h > w for w, h in sizes_for((480, 832)))


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c.name)
def test_every_card_gets_the_largest_size_that_keeps_the_target(card):
    """Expectations from the model itself: the choice fits; where it keeps the target, no larger size keeps it in
    any precision and no earlier precision keeps it at that size; where it does not, nothing does and it is the
    smallest size that fits."""
    choice = card_choice(card)
    fits = lambda w, h, q: fits_card(card, w, h, q)  # noqa: E731
    quants = [q for q in QUANT_ORDER if predict(card, 832, 480, q)]
    keeps = {(w, h, q) for q in quants for w, h in LIVE_SIZES
             if fits(w, h, q) and predict(card, w, h, q).frames_per_second >= TARGET}
    assert fits(choice.width, choice.height, choice.quant)
    assert choice.rate.frames_per_second == pytest.approx(
        predict(card, choice.width, choice.height, choice.quant).frames_per_second)
    if choice.met:
        assert (choice.width, choice.height, choice.quant) in keeps
        earlier = quants[:quants.index(choice.quant)]
        assert not any((choice.width, choice.height, q) in keeps for q in earlier)
        assert not any(w * h > choice.width * choice.height for w, h, _ in keeps)
    else:
        assert not keeps and "below the target" in choice.message
        fitting = [(w, h) for w, h in LIVE_SIZES if any(fits(w, h, q) for q in quants)]
        assert (choice.width, choice.height) == fitting[-1]
    assert f"{choice.width}x{choice.height}" in choice.message


def test_an_h200_at_10_frames_runs_its_own_size_in_fp8():
    """Measured: 8.2 frames/s at 832x480 in bf16, 10.5 in FP8; the rule keeps the model's own size, in FP8, and says
    where bf16 would have kept the target."""
    choice = card_choice(H200)
    assert picked(choice) == (832, 480, "fp8") and choice.met
    bf16 = next((w, h) for w, h in LIVE_SIZES if predict(H200, w, h).frames_per_second >= TARGET)
    assert bf16 != (832, 480)
    assert f"bf16 keeps it only at {bf16[0]}x{bf16[1]}" in choice.message and "predicted" in choice.message
    assert picked(card_choice(H200, target=8.0)) == (832, 480, "none")
    assert "would be" not in card_choice(H200, target=8.0).message  # nothing larger to miss


def test_size_first_then_bf16_before_fp8():
    rates = {"none": 4.0, "fp8": 6.0}
    fits = lambda w, h, q: True  # noqa: E731
    rate_of = lambda w, h, q: Rate(rates[q] * 832 * 480 / (w * h), False)  # noqa: E731
    choice = choose_size(rate_of, 12.5, LIVE_SIZES, fits)
    # bf16 reaches 12.5 only at 416x240 (16; 480x272: 12.2); FP8 already at 512x288 (6 * 2.71 = 16.3; 576x320: 13.0,
    # 640x368: 10.2): the larger picture wins, in FP8
    assert picked(choice) == (576, 320, "fp8") and choice.met
    assert "640x368 would be 10.2 < target 12.5" in choice.message
    assert "bf16 keeps it only at 416x240, and FP8 changes the picture slightly" in choice.message
    close = lambda w, h, q: Rate((4.0 if q == "none" else 4.04) * 832 * 480 / (w * h), False)  # noqa: E731
    choice = choose_size(close, 12.5, LIVE_SIZES, fits)  # both reach it at 416x240 only: bf16 there
    assert picked(choice) == (416, 240, "none") and "FP8" not in choice.message
    choice = choose_size(rate_of, 20.0, LIVE_SIZES, fits)  # bf16 never reaches 20; FP8 does at 416x240 (24)
    assert picked(choice) == (416, 240, "fp8") and "bf16 reaches it at no size" in choice.message
    choice = choose_size(rate_of, 30.0, LIVE_SIZES, fits)  # nothing does: the smallest, in its fastest precision
    assert picked(choice) == (416, 240, "fp8") and not choice.met and "below the target 30" in choice.message


def test_memory_rules_out_sizes_and_nothing_fitting_leaves_the_choice_to_the_memory_plan():
    rate_of = lambda w, h, q: Rate(100.0, False)  # noqa: E731
    only_fp8_small = lambda w, h, q: q == "fp8" and w * h <= 576 * 320  # noqa: E731
    assert picked(choose_size(rate_of, 10, LIVE_SIZES, only_fp8_small)) == (576, 320, "fp8")
    assert choose_size(rate_of, 10, LIVE_SIZES, lambda w, h, q: False) is None


def test_a_quantization_the_model_cannot_price_is_skipped():
    """A new precision (nvfp4) in the order is tried only where a rate exists for it."""
    rate_of = lambda w, h, q: None if q == "nvfp4" else Rate(1.0, False)  # noqa: E731
    choice = choose_size(rate_of, 10, LIVE_SIZES, lambda w, h, q: True, quants=("none", "fp8", "nvfp4"))
    assert choice.quant in ("none", "fp8") and not choice.met


def test_a_tuned_rate_wins_over_the_prediction():
    tuned = {(832, 480, "none"): Rate(10.4, measured=True)}  # this H200 measured faster than the model says
    choice = choose_size(card_rates(model_rates(H200), tuned), TARGET, LIVE_SIZES,
                         lambda w, h, q: True, card="this H200")
    assert picked(choice) == (832, 480, "none") and choice.rate == Rate(10.4, measured=True)
    assert choice.message.startswith("size 832x480 bf16: measured 10.4 frames/s on this H200")



def tuned_rates(*args, **query) -> dict:
    """The frames/s alone of the rates the tuning file gives a show."""
    return {size: rate.frames_per_second for size, rate in measured_rates(*args, **query).items()}


def save_tuned(path, width, height, quant, fps, device="NVIDIA H200", steps=4, torch_version=None, decoder="vae",
               compiled=True, attention_quant="none", video_in=False):
    key = TuningKey(device, torch_version or torch.__version__, "krea-14b", width, height, steps, "bfloat16", quant,
                    decoder, attention_quant, video_in)
    trial = Trial(SpeedOptions(compile=compiled, quant=quant, decoder=decoder, attention_quant=attention_quant),
                  frames_per_second=fps)
    result = TuneResult(key=key, trials=[trial], path=path, date="2026-12-02T10:00:00", best=trial)
    _save_entry(path, key.text(), result.entry(), print)


def test_the_tuning_file_gives_the_rates_bench_tune_measured(tmp_path):
    path = tmp_path / "tuning.json"
    save_tuned(path, 832, 480, "none", 8.3)
    save_tuned(path, 576, 320, "fp8", 25.1)
    save_tuned(path, 704, 400, "none", 11.0, device="NVIDIA H100 80GB HBM3")  # another card
    save_tuned(path, 640, 368, "none", 13.0, steps=2)  # other steps
    save_tuned(path, 512, 288, "none", 30.0, torch_version="1.0")  # another torch
    assert tuned_rates("NVIDIA H200", "krea-14b", 4, path=path) == {(832, 480, "none"): 8.3, (576, 320, "fp8"): 25.1}
    assert tuned_rates("NVIDIA H200", "krea-14b", 4, path=tmp_path / "none.json") == {}
    (tmp_path / "bad.json").write_text("{not json")
    assert tuned_rates("NVIDIA H200", "krea-14b", 4, path=tmp_path / "bad.json") == {}


# --- the command line, on a pretend H200 ---

@pytest.fixture
def h200(monkeypatch):
    """This machine as an H200 with 139 GiB free, FP8 and torchao at hand: enough for the memory plan, the tuning
    key and the size choice, which is all a show does before it loads."""
    import vcam.engine.memory
    import vcam.engine.quant

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA H200")
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (9, 0))
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda device=None: SimpleNamespace(
        total_memory=140 * 2**30, major=9, minor=0, multi_processor_count=132))
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (139 * 2**30, 140 * 2**30))
    monkeypatch.setattr(vcam.engine.quant, "fp8_unsupported", lambda device: None)
    monkeypatch.setattr(vcam.engine.memory, "fp8_unsupported", lambda device: None)


def prepared(argv, monkeypatch):
    """What `vcam ARGV` settles before anything opens: the settings and the speed choice."""
    import vcam.live.run
    from vcam.cli import build_parser, cmd_run

    seen = {}

    def play(opts, attach=None):
        seen["prep"] = vcam.live.run._prepare(opts)
        return vcam.live.run.Ended(0, False)

    monkeypatch.setattr(vcam.live.run, "play", play)
    assert cmd_run(build_parser().parse_args(argv)) == 0
    return seen["prep"]


def test_vcam_run_says_the_size_it_chose_for_the_card(h200, monkeypatch, capsys):
    prep = prepared(["run", "--model", "krea-14b", "--out", "null", "--no-stdin"], monkeypatch)
    assert (prep.cfg.width, prep.cfg.height, prep.speed.options.quant) == (832, 480, "fp8")
    err = capsys.readouterr().err
    assert "size 832x480 fp8: predicted" in err and "on this H200" in err
    prep = prepared(["run", "--model", "krea-14b", "--out", "null", "--no-stdin", "--target-fps", "12"], monkeypatch)
    expected = next((w, h, q) for w, h in LIVE_SIZES for q in QUANT_ORDER if predict(H200, w, h, q).frames_per_second
                    >= 12)
    assert (prep.cfg.width, prep.cfg.height, prep.speed.options.quant) == expected
    assert f"size {expected[0]}x{expected[1]} {'bf16' if expected[2] == 'none' else 'fp8'}: predicted" \
        in capsys.readouterr().err
    prep = prepared(["run", "--model", "krea-14b", "--out", "null", "--no-stdin", "--target-fps", "5"], monkeypatch)
    assert (prep.cfg.width, prep.cfg.height) == (832, 480)
    assert "size 832x480 bf16: predicted" in capsys.readouterr().err


@pytest.mark.parametrize("given", [["--size", "640x368"], ["--quant", "fp8"]])
def test_a_size_or_a_precision_given_turns_the_choice_off(given, h200, monkeypatch, capsys):
    monkeypatch.setattr(live_size_module, "live_size", lambda *a, **k: pytest.fail("chose despite " + given[0]))
    prep = prepared(["run", "--model", "krea-14b", "--out", "null", "--no-stdin", *given], monkeypatch)
    size = (640, 368) if given[0] == "--size" else (832, 480)
    assert (prep.cfg.width, prep.cfg.height) == size
    assert prep.speed.options.quant == ("fp8" if given[0] == "--quant" else "none")
    assert "predicted" not in capsys.readouterr().err


def test_tiny_and_a_cpu_keep_the_models_own_size_and_say_nothing_new(monkeypatch, capsys):
    monkeypatch.setattr(live_size_module, "live_size", lambda *a, **k: pytest.fail("chose a size for tiny"))
    prep = prepared(["run", "--model", "tiny", "--out", "null", "--no-stdin"], monkeypatch)
    assert (prep.cfg.width, prep.cfg.height) == (112, 64)
    assert "frames/s" not in capsys.readouterr().err
    monkeypatch.undo()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert live_size_module.live_size("krea-14b", 4, TARGET) is None


def test_the_choice_is_a_plain_record():
    choice = card_choice(H200)
    assert dataclasses.asdict(choice)["rate"]["measured"] is False


# --- what the choice is told of the show, and when it stands aside ---

def write_log(path, **header):
    import json

    path.write_text(json.dumps({"vcam": {"model": "tiny", "seed": 1, "prompts": {"a city": 1.0}, "steps": 4,
                                         "transition": 4, "size": [112, 64], **header}}) + "\n"
                    + json.dumps({"end": {"blocks": 2}}) + "\n")
    return str(path)


def test_a_replay_runs_the_precision_and_decoder_its_show_ran(tmp_path, monkeypatch):
    log = write_log(tmp_path / "show.jsonl", quant="fp8", decoder="taehv")
    monkeypatch.setattr("vcam.engine.load.quant_unsupported", lambda model, q: None)  # a card that runs FP8
    prep = prepared(["run", "--model", "tiny", "--out", "null", "--no-stdin", "--replay", log], monkeypatch)
    assert prep.speed.options.quant == "fp8" and prep.speed.options.decoder == "taehv"
    assert prep.opts.decoder == "taehv"  # what the control log and the on-air line of the replay name
    prep = prepared(["run", "--model", "tiny", "--out", "null", "--no-stdin", "--replay", log, "--quant", "none",
                     "--decoder", "vae"], monkeypatch)  # the command line still wins
    assert prep.speed.options.quant == "none" and prep.speed.options.decoder == "vae"
    plain = write_log(tmp_path / "old.jsonl")  # a log from before either was kept: bf16 and the VAE
    prep = prepared(["run", "--model", "tiny", "--out", "null", "--no-stdin", "--replay", plain], monkeypatch)
    assert prep.speed.options.quant == "none" and prep.speed.options.decoder == "vae"
    with pytest.raises(ValueError, match="decoder must be one of"):
        prepared(["run", "--model", "tiny", "--out", "null", "--no-stdin", "--replay",
                  write_log(tmp_path / "bad.jsonl", decoder="jpeg")], monkeypatch)


def test_a_replay_runs_the_attention_precision_its_show_ran(tmp_path, monkeypatch):
    log = write_log(tmp_path / "show.jsonl", attention_quant="int8")
    monkeypatch.setattr("vcam.engine.load.attention_quant_unsupported", lambda model, q: None)  # a card that runs it
    prep = prepared(["run", "--model", "tiny", "--out", "null", "--no-stdin", "--replay", log], monkeypatch)
    assert prep.opts.attention_quant == "int8" and prep.speed.options.attention_quant == "int8"
    prep = prepared(["run", "--model", "tiny", "--out", "null", "--no-stdin", "--replay", log, "--attention-quant",
                     "none"], monkeypatch)  # said on the command line, it wins
    assert prep.opts.attention_quant == "none" and prep.speed.options.attention_quant == "none"
    with pytest.raises(ValueError, match="attention_quant must be one of"):
        prepared(["run", "--model", "tiny", "--out", "null", "--no-stdin", "--replay",
                  write_log(tmp_path / "bad.jsonl", attention_quant="int4")], monkeypatch)


def test_a_replay_and_a_shows_size_turn_the_choice_off(h200, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(live_size_module, "live_size", lambda *a, **k: pytest.fail("chose a size"))
    log = write_log(tmp_path / "show.jsonl", model="krea-14b", size=[832, 480], quant="fp8")
    prep = prepared(["run", "--out", "null", "--no-stdin", "--replay", log, "--target-fps", "12"], monkeypatch)
    assert (prep.cfg.width, prep.cfg.height, prep.speed.options.quant) == (832, 480, "fp8")
    assert "--target-fps 12 is not used: a replay runs at the size and precision of its log" in capsys.readouterr().err
    show = tmp_path / "show.yaml"
    show.write_text("output: {size: 640x368}\npresets:\n  - {name: city, prompt: a neon city at night}\n")
    prep = prepared(["run", str(show), "--model", "krea-14b", "--out", "null", "--no-stdin"], monkeypatch)
    assert (prep.cfg.width, prep.cfg.height, prep.speed.options.quant) == (640, 368, "none")
    assert "--target-fps" not in capsys.readouterr().err  # not given: nothing to say
    prepared(["run", str(show), "--model", "krea-14b", "--out", "null", "--no-stdin", "--target-fps", "12"],
             monkeypatch)
    assert "--target-fps 12 is not used: the show file gives the size" in capsys.readouterr().err


@pytest.mark.parametrize("given,why", [(["--size", "640x368"], "--size gives the size"),
                                       (["--quant", "fp8"], "--quant gives the precision")])
def test_a_target_given_and_not_used_is_said(given, why, h200, monkeypatch, capsys):
    prepared(["run", "--model", "krea-14b", "--out", "null", "--no-stdin", "--target-fps", "12", *given],
             monkeypatch)
    assert f"--target-fps 12 is not used: {why}" in capsys.readouterr().err


def test_tuned_rates_keep_to_the_decoder_they_were_measured_with(tmp_path):
    path = tmp_path / "tuning.json"
    save_tuned(path, 832, 480, "none", 8.3)
    save_tuned(path, 832, 480, "none", 14.0, decoder="taehv")
    save_tuned(path, 704, 400, "none", 12.0, compiled=False)
    assert tuned_rates("NVIDIA H200", "krea-14b", 4, path=path) == {(832, 480, "none"): 8.3,
                                                                     (704, 400, "none"): 12.0}
    assert tuned_rates("NVIDIA H200", "krea-14b", 4, path=path, decoder="taehv") == {(832, 480, "none"): 14.0}
    assert tuned_rates("NVIDIA H200", "krea-14b", 4, path=path, compiled=False) == {(704, 400, "none"): 12.0}


def test_tuned_rates_keep_to_the_attention_they_were_measured_with(tmp_path):
    path = tmp_path / "tuning.json"
    save_tuned(path, 832, 480, "none", 8.2)
    save_tuned(path, 832, 480, "none", 11.0, attention_quant="int8")  # later in the file: must not win for SDPA
    assert tuned_rates("NVIDIA H200", "krea-14b", 4, path=path) == {(832, 480, "none"): 8.2}
    assert tuned_rates("NVIDIA H200", "krea-14b", 4, path=path, attention_quant="int8") == {(832, 480, "none"): 11.0}


def test_tuned_rates_keep_to_video_in_or_text_only(tmp_path):
    path = tmp_path / "tuning.json"
    save_tuned(path, 832, 480, "none", 8.3)
    save_tuned(path, 832, 480, "none", 6.0, video_in=True)  # the same settings: its own entry, not a replacement
    save_tuned(path, 704, 400, "none", 9.0, video_in=True)
    assert tuned_rates("NVIDIA H200", "krea-14b", 4, path=path) == {(832, 480, "none"): 8.3}
    assert tuned_rates("NVIDIA H200", "krea-14b", 4, path=path, video_in=True) == {(832, 480, "none"): 6.0,
                                                                                   (704, 400, "none"): 9.0}


def test_a_video_in_show_is_sized_by_the_rates_tune_in_measured(h200, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path))
    path = tmp_path / "tuning.json"
    save_tuned(path, 832, 480, "none", 14.0)  # text only: would reach the target at the largest size
    with_input = ["run", "--model", "krea-14b", "--out", "null", "--no-stdin", "--in", "camera"]
    prep = prepared(with_input, monkeypatch)
    assert (prep.cfg.width, prep.cfg.height) == (832, 480)  # the model's own: no rate with video in yet
    err = capsys.readouterr().err
    assert "krea-14b's own, not chosen" in err and "no `vcam bench --tune --in` rate matches it" in err
    save_tuned(path, 832, 480, "none", 7.0, video_in=True)
    save_tuned(path, 704, 400, "none", 8.5, video_in=True)
    save_tuned(path, 640, 368, "none", 10.6, video_in=True)
    prep = prepared(with_input, monkeypatch)
    assert (prep.cfg.width, prep.cfg.height, prep.speed.options.quant) == (640, 368, "none")
    err = capsys.readouterr().err
    assert ("size 640x368 bf16: measured 10.6 frames/s on this H200 with video in by vcam bench --tune (704x400 "
            "would be 8.5 < target 10)") in err
    assert "speed: tuned on 2026-12-02 with video in (compile: 10.6 frames/s in bench)" in err
    prep = prepared(with_input[:-2], monkeypatch)  # text only: the text-only rate, never a video-in one
    assert (prep.cfg.width, prep.cfg.height) == (832, 480)
    err = capsys.readouterr().err
    assert "size 832x480 bf16: measured 14.0 frames/s on this H200 by vcam bench --tune" in err
    assert "video in" not in err


def test_a_vae_show_is_not_sized_by_a_taehv_tuning(h200, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path))
    save_tuned(tmp_path / "tuning.json", 832, 480, "none", 14.0, decoder="taehv")
    prep = prepared(["run", "--model", "krea-14b", "--out", "null", "--no-stdin"], monkeypatch)
    # predicted 8.2 in bf16 with the VAE: below the target, so not 832x480 bf16
    assert (prep.cfg.width, prep.cfg.height, prep.speed.options.quant) != (832, 480, "none")
    err = capsys.readouterr().err
    assert "predicted" in err and "measured" not in err
    prep = prepared(["run", "--model", "krea-14b", "--out", "null", "--no-stdin", "--decoder", "taehv"], monkeypatch)
    assert (prep.cfg.width, prep.cfg.height) == (832, 480) and prep.speed.options.decoder == "taehv"
    assert "size 832x480 bf16: measured 14.0 frames/s" in capsys.readouterr().err


def test_a_taehv_show_is_sized_by_the_memory_taehv_takes(h200, tmp_path, monkeypatch, capsys):
    """With TAEHV the VAE stays for its encoder (a video input can come at any time): free memory that holds
    832x480 with the VAE's decoder does not hold it with TAEHV's, so a tuned 14 frames/s there is passed over for
    the next size down. (The card takes no FP8 here: FP8's smaller weights would hold 832x480.)"""
    import vcam.engine.quant
    from vcam.bench.predict import needed_gib

    monkeypatch.setattr(vcam.engine.quant, "fp8_unsupported", lambda device: "no FP8 on this card")
    free = (needed_gib(832, 480, "none") + needed_gib(832, 480, "none", decoder="taehv")) / 2
    assert needed_gib(768, 448, "none", decoder="taehv") < free
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (int(free * 2**30), 140 * 2**30))
    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path))
    save_tuned(tmp_path / "tuning.json", 832, 480, "none", 14.0, decoder="taehv")
    save_tuned(tmp_path / "tuning.json", 768, 448, "none", 12.0, decoder="taehv")
    prep = prepared(["run", "--model", "krea-14b", "--out", "null", "--no-stdin", "--decoder", "taehv"], monkeypatch)
    assert (prep.cfg.width, prep.cfg.height, prep.speed.options.quant) == (768, 448, "none")
    assert "size 768x448 bf16: measured 12.0 frames/s" in capsys.readouterr().err


def test_a_taehv_show_without_a_tuning_is_sized_by_the_speed_model(h200, tmp_path, monkeypatch, capsys):
    """TAEHV's decode is priced (fitted on the H200's FP8 row, 12.29 frames/s at 832x480, where the model gives
    12.2): on an H200 with no tuning, 10 frames/s at 832x480 in bf16 is out of reach (9.3 predicted) and FP8
    reaches it, where the show kept the model's own size unpriced."""
    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path))  # no tuning
    prep = prepared(["run", "--model", "krea-14b", "--out", "null", "--no-stdin", "--decoder", "taehv"], monkeypatch)
    err = capsys.readouterr().err
    assert (prep.cfg.width, prep.cfg.height, prep.speed.options.quant) == (832, 480, "fp8"), err
    assert "832x480 fp8: predicted 12.2 frames/s" in err and "not chosen" not in err


@pytest.mark.parametrize("given,what", [(["--no-compile"], "--no-compile"),
                                        (["--in", "camera"], "video in")])
def test_a_show_the_speed_model_does_not_price_keeps_the_models_size(given, what, h200, tmp_path, monkeypatch,
                                                                      capsys):
    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path))  # no tuning
    prep = prepared(["run", "--model", "krea-14b", "--out", "null", "--no-stdin", *given], monkeypatch)
    assert (prep.cfg.width, prep.cfg.height, prep.speed.options.quant) == (832, 480, "none")
    err = capsys.readouterr().err
    assert "size 832x480, krea-14b's own, not chosen for 10 frames/s" in err and what in err
    assert "predicted" not in err


def test_an_uncompiled_show_is_sized_by_an_uncompiled_tuning_only(h200, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path))
    save_tuned(tmp_path / "tuning.json", 832, 480, "none", 12.0)  # compiled: not what --no-compile runs
    save_tuned(tmp_path / "tuning.json", 704, 400, "none", 11.0, compiled=False)
    prep = prepared(["run", "--model", "krea-14b", "--out", "null", "--no-stdin", "--no-compile"], monkeypatch)
    assert (prep.cfg.width, prep.cfg.height) == (704, 400)
    assert "size 704x400 bf16: measured 11.0 frames/s" in capsys.readouterr().err


def test_the_memory_plan_is_read_with_the_shows_decoder_and_compiling(h200, monkeypatch):
    import vcam.engine.memory
    from vcam.bench.tuning import live_choice
    from vcam.engine.speed import SpeedFlags

    seen = []
    real = vcam.engine.memory.memory_plan

    def spy(spec, device, width, height, dtype, speed, adapt):
        seen.append(speed)
        return real(spec, device, width, height, dtype, speed, adapt)

    monkeypatch.setattr(vcam.engine.memory, "memory_plan", spy)
    live_choice("krea-14b", 832, 480, 4, None, SpeedFlags(), adapt=True, decoder="taehv", use_tuning=False)
    assert seen[-1].decoder == "taehv" and seen[-1].compile and seen[-1].quant == "none"
    live_choice("krea-14b", 832, 480, 4, "fp8", SpeedFlags(compile=False), adapt=True, use_tuning=False)
    assert seen[-1].decoder == "vae" and not seen[-1].compile and seen[-1].quant == "fp8"


def test_a_card_where_bf16_fits_at_no_size_says_so():
    rate_of = lambda w, h, q: Rate(30.0 if q == "fp8" else 20.0, False)  # noqa: E731
    choice = choose_size(rate_of, 25.0, LIVE_SIZES, lambda w, h, q: q == "fp8", card="this RTX 5090")
    assert picked(choice) == (832, 480, "fp8")
    assert "bf16 does not fit this RTX 5090 at any size" in choice.message and "no size" not in choice.message
    choice = choose_size(rate_of, 25.0, LIVE_SIZES, lambda w, h, q: True)
    assert "bf16 reaches it at no size" in choice.message


def test_a_card_missing_from_the_table_says_its_prediction_stands_on_its_measurement(h200, tmp_path, monkeypatch,
                                                                                    capsys):
    """An unknown card is priced by what it measured as the show started, and the line says so; a rate that
    `vcam bench --tune` measured owes nothing to that measurement, and its line does not say it."""
    import vcam.bench.cards
    from vcam.bench.cards import card_from_measurement

    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA Mystery 9000")
    monkeypatch.setattr(vcam.bench.cards, "measure_card", lambda device: card_from_measurement(
        "Mystery 9000", 780.0, 4300.0, 140.0, (9, 0)))
    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path))
    prepared(["run", "--model", "krea-14b", "--out", "null", "--no-stdin"], monkeypatch)
    err = capsys.readouterr().err
    assert "predicted" in err and "on this Mystery 9000 from its speed measured just now" in err
    save_tuned(tmp_path / "tuning.json", 832, 480, "none", 12.0, device="NVIDIA Mystery 9000")
    prepared(["run", "--model", "krea-14b", "--out", "null", "--no-stdin"], monkeypatch)
    err = capsys.readouterr().err
    assert "size 832x480 bf16: measured 12.0 frames/s on this Mystery 9000 by vcam bench --tune" in err
    assert "measured just now" not in err


@pytest.mark.parametrize("driver_name", ["", "NVIDIA ", "  "])
def test_a_card_whose_driver_gives_no_name_is_still_named_in_the_size_line(h200, monkeypatch, driver_name):
    """An empty name made 'on this  from its speed measured just now'."""
    from types import SimpleNamespace

    import vcam.bench.cards

    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: driver_name)
    monkeypatch.setattr(torch.cuda, "get_device_properties",
                        lambda device=None: SimpleNamespace(total_memory=140 * 2**30, major=9, minor=0))
    monkeypatch.setattr(vcam.bench.cards, "_matmul_tflops", lambda device, n=8192: 780.0)
    monkeypatch.setattr(vcam.bench.cards, "_copy_gbs", lambda device: 4300.0)
    choice = live_size_module.live_size("krea-14b", 4, TARGET)
    assert "on this unnamed CUDA card from its speed measured just now" in choice.message, choice.message
    assert "this  " not in choice.message


def test_a_card_missing_from_the_table_that_holds_the_model_at_no_size_is_not_measured(h200, monkeypatch):
    """Measuring a card costs a second and two large allocations. Where nothing fits (a 16 GB RTX A4000, or a card
    other programs fill, where the measurement itself ran out of memory and ended the start in PyTorch's error),
    the size is left to the memory plan, which says what it would take."""
    import vcam.bench.cards

    def measure(device):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 128.00 MiB.")

    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA RTX A4000")
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (int(15.5 * 2**30), 16 * 2**30))
    monkeypatch.setattr(vcam.bench.cards, "measure_card", measure)
    assert live_size_module.live_size("krea-14b", 4, TARGET) is None
    prep = prepared(["run", "--model", "krea-14b", "--out", "null", "--no-stdin"], monkeypatch)
    assert (prep.cfg.width, prep.cfg.height) == (832, 480)  # as asked: `vcam.load` says it does not fit


# PyTorch's words for a kernel that failed on the card: the first line, then advice about debugging it
LAUNCH_FAILURE = ("CUDA error: unspecified launch failure\nCUDA kernel errors might be asynchronously reported at "
                  "some other API call, so the stacktrace below might be incorrect.\nFor debugging consider passing "
                  "CUDA_LAUNCH_BLOCKING=1\nCompile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.\n")


def an_unknown_card_whose_measurement_raises(monkeypatch, error):
    """This machine as a card missing from the table (so a show measures it), whose measured product raises."""
    from types import SimpleNamespace

    import vcam.bench.cards

    def measured(device, n=8192):
        raise error

    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA Mystery 9000")
    monkeypatch.setattr(torch.cuda, "get_device_properties",
                        lambda device=None: SimpleNamespace(total_memory=140 * 2**30, major=9, minor=0))
    monkeypatch.setattr(vcam.bench.cards, "_matmul_tflops", measured)


def test_a_card_whose_measurement_fails_stops_the_start_in_one_line_that_says_what_to_do(h200, monkeypatch,
                                                                                          capsys):
    """A driver or kernel error while a card missing from the table was measured ended the start in PyTorch's
    paragraph (an internal error), before the show had said a word. It says what failed, the first line of why,
    and how to start without the measurement (test_a_size_or_a_precision_given_turns_the_choice_off holds that
    --size and --quant do)."""
    import vcam.live.run
    from vcam.cli import main

    an_unknown_card_whose_measurement_raises(monkeypatch, RuntimeError(LAUNCH_FAILURE))
    monkeypatch.setattr(vcam.live.run, "play", lambda opts, attach=None: vcam.live.run._prepare(opts))
    assert main(["run", "--model", "krea-14b", "--out", "null", "--no-stdin"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["vcam: error: measuring this GPU's speed to choose the show's size failed (RuntimeError: CUDA "
                   "error: unspecified launch failure)",
                   "  fix: check the card with nvidia-smi (it shows a driver or hardware fault; update the driver "
                   "where it is older than PyTorch needs), or start without the measurement by giving --size WxH "
                   "(832x480 is krea-14b's own) or --quant"]


def test_a_failed_measurement_says_the_first_sentence_of_a_cause_that_runs_on_and_memory_as_everywhere(
        h200, monkeypatch):
    from vcam.bench.cards import CAUSE_CHARS, first_line, measure_card
    from vcam.errors import NotEnoughVRAMError, VcamError

    old_driver = RuntimeError(
        "The NVIDIA driver on your system is too old (found version 11040). Please update your GPU driver by "
        "downloading and installing a new version from the URL: http://www.nvidia.com/Download/index.aspx "
        "Alternatively, go to: https://pytorch.org to install a PyTorch version that has been compiled with your "
        "version of the CUDA driver.")
    an_unknown_card_whose_measurement_raises(monkeypatch, old_driver)
    with pytest.raises(VcamError) as said:
        measure_card(torch.device("cuda"))
    assert said.value.message.endswith(
        "failed (RuntimeError: The NVIDIA driver on your system is too old (found version 11040).)")
    assert "update the driver" in said.value.fix
    an_unknown_card_whose_measurement_raises(monkeypatch, RuntimeError())  # a kernel's error with no words
    with pytest.raises(VcamError) as said:
        measure_card(torch.device("cuda"))
    assert said.value.message.endswith("size failed (RuntimeError)")
    assert first_line(RuntimeError("x" * 300)) == "x" * CAUSE_CHARS + "…"  # a line with no sentence to end it
    an_unknown_card_whose_measurement_raises(
        monkeypatch, torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 128.00 MiB. GPU 0 has ..."))
    with pytest.raises(NotEnoughVRAMError) as said:
        measure_card(torch.device("cuda"))
    assert said.value.message.startswith("the GPU ran out of memory while its speed was measured to choose the "
                                         "show's size (tried to allocate 128.00 MiB; ")
    assert "close other programs" in said.value.fix and "--size" in said.value.fix


def test_an_uncompiled_show_is_sized_by_the_memory_it_takes_uncompiled(h200, tmp_path, monkeypatch, capsys):
    """Compiled kernels keep memory of their own: a card whose free memory holds 832x480 uncompiled but not
    compiled runs an uncompiled show at 832x480."""
    from vcam.bench.predict import needed_gib

    eager, compiled = needed_gib(832, 480, "none", compiled=False), needed_gib(832, 480, "none")
    assert eager < compiled
    free = (eager + compiled) / 2
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (int(free * 2**30), 140 * 2**30))
    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path))
    save_tuned(tmp_path / "tuning.json", 832, 480, "none", 11.0, compiled=False)
    prep = prepared(["run", "--model", "krea-14b", "--out", "null", "--no-stdin", "--no-compile"], monkeypatch)
    assert (prep.cfg.width, prep.cfg.height, prep.speed.options.quant) == (832, 480, "none")
    assert "size 832x480 bf16: measured 11.0 frames/s" in capsys.readouterr().err


def test_a_show_sized_for_text_says_which_presets_switch_to_video_in(h200, tmp_path, monkeypatch, capsys):
    """The size is chosen for the input a show starts with; a preset that switches to a video input later runs
    slower than the text-only rate that chose it, and the start says so with the way to size for it."""
    cv2.imwrite(str(tmp_path / "still.png"), np.zeros((8, 8, 3), np.uint8))  # the show checks it is an image
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: calm, prompt: a calm sea}\n"
                    "  - {name: mirror, prompt: a dancer, input: 'image:still.png'}\n")
    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path))
    prepared(["run", str(show), "--model", "krea-14b", "--out", "null", "--no-stdin"], monkeypatch)
    err = capsys.readouterr().err
    assert "preset mirror switches to a video input" in err and "`vcam bench --tune --in`" in err
    show.write_text("presets:\n  - {name: calm, prompt: a calm sea}\n")
    prepared(["run", str(show), "--model", "krea-14b", "--out", "null", "--no-stdin"], monkeypatch)
    assert "video input" not in capsys.readouterr().err


@pytest.mark.parametrize("name, arch, capability, fp8", [
    ("AMD Instinct MI250X/MI250", "gfx90a:sramecc+:xnack-", (9, 0), False),
    ("AMD Radeon RX 7900 XTX", "gfx1100", (11, 0), False),
    ("AMD Instinct MI300X", "gfx942:sramecc+:xnack-", (9, 4), True),
    ("AMD Instinct MI355X", "gfx950:sramecc+:xnack-", (9, 5), True),
    ("AMD Radeon RX 9070 XT", "gfx1201", (12, 0), False)])  # FP8 products, but torchao refuses it
def test_an_amd_card_is_offered_fp8_by_its_architecture_not_its_gfx_number(name, arch, capability, fp8,
                                                                            monkeypatch):
    """ROCm's PyTorch reports an AMD card's gfx generation as its compute capability: an MI250X (gfx90a) says 9.0
    and a Radeon RX 7900 (gfx1100) 11.0, past NVIDIA's 8.9 for FP8, though neither has FP8 products. The size
    choice put them in FP8, which failed as the show loaded; --quant fp8 was let through to the same failure."""
    from types import SimpleNamespace

    import vcam.bench.cards
    import vcam.engine.quant

    pytest.importorskip("torchao")  # an FP8 card's check asks for it
    monkeypatch.setattr(torch.version, "hip", "6.4.0")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: name)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda device=None: SimpleNamespace(
        total_memory=64 * 2**30, major=capability[0], minor=capability[1], gcnArchName=arch))
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (63 * 2**30, 64 * 2**30))
    monkeypatch.setattr(vcam.bench.cards, "_matmul_tflops", lambda device, n=8192: 300.0)
    monkeypatch.setattr(vcam.bench.cards, "_copy_gbs", lambda device: 2800.0)
    why = vcam.engine.quant.fp8_unsupported(torch.device("cuda"))
    if fp8:
        assert why is None
    else:
        assert why is not None and why.endswith(f"this GPU is {arch.split(':')[0]}") and "MI300" in why, why
    choice = live_size_module.live_size("krea-14b", 4, 30.0, use_tuning=False)
    assert (choice.quant == "fp8") == fp8 and ("fp8" in choice.message) == fp8, choice.message


@pytest.mark.parametrize("extra, command", [
    ([], "vcam bench --tune --quant fp8"),  # the size choice went to FP8: a plain tune measured bf16
    (["--size", "576x320"], "vcam bench --tune --size 576x320"),
    (["--size", "640x368", "--quant", "fp8", "--steps", "3"], "vcam bench --tune --size 640x368 --steps 3 --quant fp8"),
    (["--size", "832x480", "--decoder", "taehv"], "vcam bench --tune --decoder taehv"),
    (["--size", "576x320", "--attention-quant", "int8"], "vcam bench --tune --size 576x320 --attention-quant int8"),
    (["--size", "576x320", "--in", "camera"], "vcam bench --tune --size 576x320 --in")])
def test_a_show_without_a_tuning_names_the_tune_that_would_measure_it(extra, command, h200, tmp_path, monkeypatch,
                                                                      capsys):
    """After a plain `vcam bench --tune` (832x480 bf16), a show sized into FP8, or given another size, was told to
    run `vcam bench --tune` once: done again, it measured 832x480 bf16 again, and the show still ran untuned."""
    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path))
    save_tuned(tmp_path / "tuning.json", 832, 480, "none", 8.2)
    prep = prepared(["run", "--model", "krea-14b", "--out", "null", "--no-stdin", *extra], monkeypatch)
    assert prep.speed.source == "defaults"
    assert f"run `{command}` once to pick the fastest settings" in capsys.readouterr().err


def test_a_card_missing_from_the_table_is_not_measured_for_a_show_the_speed_model_does_not_price(h200, tmp_path,
                                                                                                 monkeypatch):
    """An uncompiled show (or one with video in) is sized by `vcam bench --tune` rates alone: measuring the card
    for the speed model cost a second, and a failed measurement stopped a start that never needed it."""
    import vcam.bench.cards

    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA Mystery 9000")
    monkeypatch.setattr(vcam.bench.cards, "measure_card", lambda device: pytest.fail("measured for nothing"))
    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path))
    own = live_size_module.live_size("krea-14b", 4, TARGET, compiled=False)
    assert own.message.startswith("size 832x480, krea-14b's own, not chosen") and "--no-compile" in own.message
    save_tuned(tmp_path / "tuning.json", 704, 400, "none", 11.0, device="NVIDIA Mystery 9000", compiled=False)
    choice = live_size_module.live_size("krea-14b", 4, TARGET, compiled=False)
    assert picked(choice) == (704, 400, "none")
    assert choice.message.startswith("size 704x400 bf16: measured 11.0 frames/s on this Mystery 9000 by vcam bench "
                                     "--tune"), choice.message
    # a card in the table is named as the table names it, as where it is priced
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA H100 80GB HBM3")
    save_tuned(tmp_path / "tuning.json", 704, 400, "none", 10.5, device="NVIDIA H100 80GB HBM3", compiled=False)
    choice = live_size_module.live_size("krea-14b", 4, TARGET, compiled=False)
    assert "measured 10.5 frames/s on this H100 SXM by" in choice.message, choice.message


def test_a_target_not_used_on_a_card_too_small_for_any_size_says_which_of_the_two_it_is(h200, monkeypatch, capsys):
    """A 24 GB RTX 3090 (no FP8) holds krea-14b at no size; --target-fps 5 there was 'not used: no CUDA GPU here, or
    no size fits', on a machine with a CUDA GPU."""
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA GeForce RTX 3090")
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (8, 6))
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (int(23.2 * 2**30), 24 * 2**30))
    monkeypatch.setattr("vcam.engine.quant.fp8_unsupported", lambda device: "no FP8 on this card")
    monkeypatch.setattr("vcam.engine.memory.fp8_unsupported", lambda device: "no FP8 on this card")
    prepared(["run", "--model", "krea-14b", "--out", "null", "--no-stdin", "--target-fps", "5"], monkeypatch)
    err = capsys.readouterr().err
    assert "--target-fps 5 is not used: no size fits this GPU's free memory (23.2 GiB" in err, err
    assert "no CUDA GPU" not in err


def test_a_rate_equal_to_the_target_keeps_it():
    """--target-fps 8.2 on a card `vcam bench --tune` measured at 8.2 keeps that size: the rate reaches the target."""
    choice = choose_size(card_rates(model_rates(H200), {(832, 480, "none"): Rate(8.2, measured=True)}), 8.2, LIVE_SIZES,
                         lambda w, h, q: True, card="this H200")
    assert picked(choice) == (832, 480, "none") and choice.met and "(target 8.2)" in choice.message


def test_without_cuda_no_size_is_chosen_for_that_alone(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: pytest.fail("asked a card that is not there"))
    assert live_size_module.unsized_why() == "no CUDA GPU here (a CPU keeps the model's own size)"


@pytest.mark.parametrize("gib, multiprocessors", [(19.5, 26), (39.4, 60), (79.1, 66), (39.4, 0)])
def test_a_mig_slice_named_as_the_whole_card_is_measured_and_said_to_be_a_slice(gib, multiprocessors, monkeypatch):
    """A MIG slice whose driver gives the whole card's name ("NVIDIA H100 80GB HBM3") was priced from the whole
    H100's row, about twice as fast as it runs. Less memory or fewer multiprocessors than the row tell it: it is
    measured, and the line names it as a slice."""
    import vcam.bench.cards
    import vcam.engine.quant

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA H100 80GB HBM3")
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (9, 0))
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda device=None: SimpleNamespace(
        total_memory=int(gib * 2**30), major=9, minor=0, multi_processor_count=multiprocessors))
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (int(gib * 2**30) - 2**30, int(gib * 2**30)))
    monkeypatch.setattr(vcam.engine.quant, "fp8_unsupported", lambda device: None)
    monkeypatch.setattr(vcam.bench.cards, "_matmul_tflops", lambda device, n=8192: 380.0)
    monkeypatch.setattr(vcam.bench.cards, "_copy_gbs", lambda device: 1400.0)
    card = vcam.bench.cards.this_card(torch.device("cuda"))
    assert card.measured and card.name.startswith("H100 SXM slice (") and "not priced as the whole card" in card.name
    if multiprocessors:
        assert "of its 132 multiprocessors" in card.name
    assert vcam.bench.cards.card_name(torch.device("cuda")) == card.name  # where only tuned rates count
    choice = live_size_module.live_size("krea-14b", 4, TARGET, use_tuning=False)
    if gib > 30:  # the model fits at some size
        assert "on this H100 SXM slice" in choice.message and "from its speed measured just now" in choice.message


@pytest.mark.parametrize("name, gib, multiprocessors, row", [
    ("NVIDIA H200", 140.4, 132, "H200"), ("NVIDIA L40S", 44.4, 142, "L40S"),  # ECC on: 44.4 of 48 GiB
    ("NVIDIA H100 80GB HBM3", 79.1, 132, "H100 SXM"), ("NVIDIA H100 PCIe", 79.1, 114, "H100 PCIe"),
    ("NVIDIA B200", 178.4, 148, "B200"), ("NVIDIA RTX PRO 6000 Blackwell Server Edition", 94.9, 188,
                                          "RTX PRO 6000 Blackwell"),
    ("NVIDIA GeForce RTX 5090", 31.4, 170, "RTX 5090"), ("NVIDIA GeForce RTX 4090", 23.5, 128, "RTX 4090"),
    ("NVIDIA A100-SXM4-80GB", 79.1, 108, "A100 80GB"), ("NVIDIA A100 80GB PCIe", 79.1, 108, "A100 80GB"),
    ("NVIDIA L4", 22.5, 58, "L4")])
def test_a_whole_card_keeps_its_row_and_is_not_measured(name, gib, multiprocessors, row, monkeypatch):
    import vcam.bench.cards

    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: name)
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda device=None: SimpleNamespace(
        total_memory=int(gib * 2**30), major=9, minor=0, multi_processor_count=multiprocessors))
    monkeypatch.setattr(vcam.bench.cards, "measure_card", lambda device: pytest.fail("a listed card was measured"))
    card = vcam.bench.cards.this_card(torch.device("cuda"))
    assert card.name == row and not card.measured
    assert vcam.bench.cards.card_name(torch.device("cuda")) == row


@pytest.fixture
def an_h100(monkeypatch):
    """This machine as an H100 whose driver names it "NVIDIA H100 80GB HBM3" whole or sliced; `an_h100(gib, sms)`
    gives it that memory and those multiprocessors (a 3g.40gb slice: 39.4 GiB, 60 of 132)."""
    import vcam.bench.cards
    import vcam.engine.quant

    monkeypatch.setattr(torch.version, "cuda", "12.8")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA H100 80GB HBM3")
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (9, 0))
    monkeypatch.setattr(vcam.engine.quant, "fp8_unsupported", lambda device: None)
    monkeypatch.setattr(vcam.bench.cards, "_matmul_tflops", lambda device, n=8192: 380.0)
    monkeypatch.setattr(vcam.bench.cards, "_copy_gbs", lambda device: 1400.0)

    def as_card(gib, multiprocessors):
        monkeypatch.setattr(torch.cuda, "get_device_properties", lambda device=None: SimpleNamespace(
            total_memory=int(gib * 2**30), major=9, minor=0, multi_processor_count=multiprocessors))
        monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (int((gib - 1) * 2**30),
                                                                             int(gib * 2**30)))
        from vcam.bench.bench import BenchSettings

        return TuningKey.of(BenchSettings(model="krea-14b", device="cuda")).device

    return as_card


def test_a_mig_slice_and_its_whole_card_keep_their_tunings_apart(an_h100, tmp_path):
    """A MIG slice whose driver gives the whole card's name shared the whole card's `vcam bench --tune` entries: a
    tune on the slice chose the whole H100's size (and the other way round), a rate the other never runs at."""
    path = tmp_path / "tuning.json"
    whole = an_h100(79.1, 132)
    assert whole == "NVIDIA H100 80GB HBM3"  # as before: tuning files of whole cards still match
    save_tuned(path, 832, 480, "none", 30.0, device=whole)
    assert an_h100(19.5, 26) != an_h100(39.4, 60)  # a slice of another size runs at another rate too
    sliced = an_h100(39.4, 60)
    assert sliced.startswith("NVIDIA H100 80GB HBM3 MIG slice") and "4/8 of its memory" in sliced and "60" in sliced, \
        sliced
    choice = live_size_module.live_size("krea-14b", 4, TARGET, path=path)
    assert "predicted" in choice.message and "by vcam bench --tune" not in choice.message, choice.message
    save_tuned(path, 704, 400, "fp8", 10.5, device=sliced)
    choice = live_size_module.live_size("krea-14b", 4, TARGET, path=path)
    assert choice.message.startswith("size 704x400 fp8: measured 10.5 frames/s on this H100 SXM slice"), \
        choice.message
    an_h100(79.1, 132)
    choice = live_size_module.live_size("krea-14b", 4, TARGET, path=path)
    assert choice.message.startswith("size 832x480 bf16: measured 30.0 frames/s on this H100 SXM by"), \
        choice.message


def test_a_mig_slices_tunings_are_kept_under_a_name_a_few_mib_do_not_change(an_h100):
    """A 2g.20gb slice shows 19968 MiB (19.5 GiB): kept under whole GiB, its name read 20 GiB, and 19 once a driver
    update showed 4 MiB less, so its tunings no longer matched. Its share of the card in eighths stays 2/8."""
    shown = an_h100(19968 / 1024, 32)
    assert an_h100(19964 / 1024, 32) == shown and an_h100(19972 / 1024, 32) == shown
    assert "2/8 of its memory" in shown and "32 multiprocessors" in shown, shown
    assert an_h100(9.75, 16) != an_h100(19.5, 16)  # 1g.10gb and 1g.20gb: the same multiprocessors, not the memory
    assert an_h100(39.5, 60) != an_h100(39.5, 64)  # 3g.40gb and 4g.40gb: the same memory, not the multiprocessors


def test_an_a100s_largest_slice_is_told_a_slice_by_its_multiprocessors(monkeypatch):
    """A MIG 7g.80gb instance shows 79 GiB and 98 of the A100's 108 multiprocessors: priced as the whole card, about
    a tenth too fast."""
    import vcam.bench.cards

    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda device=None: SimpleNamespace(
        total_memory=int(79.1 * 2**30), major=8, minor=0, multi_processor_count=98))
    row = vcam.bench.cards.card_named("NVIDIA A100-SXM4-80GB")
    assert vcam.bench.cards.slice_name(torch.device("cuda"), row) == \
        "A100 80GB slice (79 GiB, 98 of its 108 multiprocessors; not priced as the whole card)"


@pytest.mark.parametrize("arch, capability, fp8", [
    (None, (8, 0), False), (None, (8, 6), False), (None, (8, 9), True), (None, (9, 0), True), (None, (12, 0), True),
    ("gfx90a:sramecc+:xnack-", (9, 0), False), ("gfx1100", (11, 0), False), ("gfx1201", (12, 0), False),
    ("", (9, 4), False), ("gfx942:sramecc+:xnack-", (9, 4), True), ("gfx950", (9, 5), True)])
def test_a_measured_card_has_fp8_by_the_rule_the_load_goes_by(arch, capability, fp8, monkeypatch):
    """A measured card's figures gave FP8 to every capability from 8.9 on, where the load asks an AMD card's
    architecture: an MI250X (ROCm's 9.0) or a Radeon RX 7900 (11.0) was priced in FP8 that it cannot run."""
    from vcam.bench.cards import card_from_measurement, measure_card
    import vcam.bench.cards
    from vcam.engine.quant import fp8_chip_lacks, fp8_unsupported

    pytest.importorskip("torchao")  # the load's check asks for it on an FP8 card
    assert card_from_measurement("card", 300.0, 2800.0, 64.0, capability, arch).has_fp8 == fp8
    assert (fp8_chip_lacks(capability, arch) is None) == fp8
    monkeypatch.setattr(torch.version, "hip", None if arch is None else "6.4.0")
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA Mystery 9000")
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda device=None: SimpleNamespace(
        total_memory=64 * 2**30, major=capability[0], minor=capability[1], gcnArchName=arch))
    monkeypatch.setattr(vcam.bench.cards, "_matmul_tflops", lambda device, n=8192: 300.0)
    monkeypatch.setattr(vcam.bench.cards, "_copy_gbs", lambda device: 2800.0)
    assert measure_card(torch.device("cuda")).has_fp8 == fp8 == (fp8_unsupported(torch.device("cuda")) is None)


def test_a_target_no_size_reaches_is_said_with_the_size_taken():
    """Every size missing the target took the smallest with no word that no size reaches it; where only tuned rates
    count, "even at the smallest size" was said of the smallest size that had a rate, 832x480 say."""
    rate_of = lambda w, h, q: Rate((2.5 if q == "fp8" else 2.0) * 832 * 480 / (w * h), False)  # noqa: E731
    choice = choose_size(rate_of, 30.0, LIVE_SIZES, lambda w, h, q: True, card="this L4")
    assert picked(choice) == (416, 240, "fp8") and not choice.met
    assert choice.message.startswith("size 416x240 fp8: predicted 10.0 frames/s on this L4, below the target 30: no "
                                     "size reaches it, so the smallest is taken; --size")
    tuned_only = lambda w, h, q: Rate(6.0, True) if (w, h, q) == (832, 480, "none") else None  # noqa: E731
    choice = choose_size(tuned_only, 10.0, LIVE_SIZES, lambda w, h, q: True, card="this L4")
    assert picked(choice) == (832, 480, "none") and not choice.met
    assert "below the target 10: no measured size reaches it, so the smallest with a rate is taken (416x240 and " \
        "others have none: `vcam bench --tune --size WxH` measures one)" in choice.message


def test_a_size_chosen_by_a_stopped_tunes_rate_says_so(h200, tmp_path):
    """A rate from a tune stopped with candidates untimed chose the size as if every candidate had been timed, not a
    word of the ones left."""
    path = tmp_path / "tuning.json"
    key = TuningKey("NVIDIA H200", torch.__version__, "krea-14b", 832, 480, 4, "bfloat16", "none")
    trial = Trial(SpeedOptions(compile=True), frames_per_second=12.0)
    result = TuneResult(key=key, trials=[trial, Trial(SpeedOptions(), skipped=True)], path=path,
                        date="2026-12-02T10:00:00", best=trial, blocks=8, warmup=3, interrupted=True)
    _save_entry(path, key.text(), result.entry(), print)
    choice = live_size_module.live_size("krea-14b", 4, TARGET, path=path)
    assert choice.message.startswith(
        "size 832x480 bf16: measured 12.0 frames/s on this H200 by vcam bench --tune (from a stopped tune, 1 "
        "candidate untimed: run `vcam bench --tune` to time them)"), \
        choice.message

