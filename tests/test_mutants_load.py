"""Edges of how vcam finds, downloads, checks and loads model weights and plans the card's and the machine's memory
that no other test pinned: each test fails where the code is changed in the way its docstring says."""
from pathlib import Path

import pytest

from vcam.engine.weight_files import from_folder
from vcam.errors import WeightsError


# --- a --weights folder ---------------------------------------------------------------------------------------


def test_a_weights_path_of_blanks_is_said_as_empty_not_read_as_a_folder_named_blank(tmp_path, monkeypatch):
    """`--weights " "` (a variable holding a space, a quoted blank in a script) is no folder: `str(folder).strip()`
    turned `str(folder)` looked for a folder named ' ' and said it "does not exist", where the empty path's
    message says what --weights takes."""
    monkeypatch.chdir(tmp_path)
    for blank in (" ", "\t", " \n"):
        with pytest.raises(WeightsError) as err:
            from_folder(blank)
        assert err.value.message == "--weights was given an empty path", blank


def test_the_checkpoint_given_for_the_folder_is_answered_with_its_folder_alone(weights_folder):
    """The fix names the folder that holds the checkpoint: `root.parent` turned `root` offered `--weights` the same
    file again (a line that still began with the folder's path)."""
    from vcam.engine.configs import KREA_FILE
    from vcam.words import shell_word

    with pytest.raises(WeightsError) as err:
        from_folder(weights_folder / KREA_FILE)
    assert err.value.fix == f"pass its folder instead: --weights {shell_word(str(weights_folder))}"


def test_a_checkpoint_one_folder_down_is_named_in_the_message_by_that_folder(tmp_path):
    """A --weights folder one level above the real one is told where the checkpoint is: `nested[0]` turned `root`
    said the checkpoint "is in" the very folder that lacks it."""
    from vcam.engine.configs import KREA_FILE

    inner = tmp_path / "krea"
    inner.mkdir()
    (inner / KREA_FILE).write_bytes(b"")
    with pytest.raises(WeightsError) as err:
        from_folder(tmp_path)
    assert err.value.fix.startswith(f"{KREA_FILE} is in {inner}: pass --weights {inner}")


def test_a_diffusers_folder_known_by_its_model_index_alone_is_said_as_such(tmp_path):
    """A diffusers pipeline folder whose transformer/ was not copied still has its model_index.json: dropping that
    check said nothing of the layout, only the missing files."""
    (tmp_path / "model_index.json").write_text("{}")
    with pytest.raises(WeightsError) as err:
        from_folder(tmp_path)
    assert f"{tmp_path} is in diffusers' layout" in err.value.fix


def test_a_header_length_past_the_files_end_is_a_damaged_header_not_a_json_error(tmp_path):
    """A header length that reaches past the end of the file (its first 8 bytes overwritten) is said as a damaged
    header outright: `size - 8` turned `size` read the header and said "damaged header (JSONDecodeError)"."""
    import struct

    from vcam.engine.weight_files import safetensors_problem

    path = tmp_path / "x.safetensors"
    body = b'{"a": 1}' + b" " * 24
    path.write_bytes(struct.pack("<Q", len(body) + 4) + body)
    assert safetensors_problem(path) == "damaged header"


@pytest.mark.parametrize("flipped, said", [(b'\xff\xfe"a": 1}', "damaged header: its bytes are not text"),
                                           (b'{"a": 1', "damaged header: not valid JSON")])
def test_a_header_with_flipped_bytes_is_said_in_words_not_by_an_error_class(tmp_path, flipped, said):
    """Flipped bytes in a checkpoint's header were said as "damaged header (UnicodeDecodeError)", Python's name for
    it, not what is wrong with the file."""
    import struct

    from vcam.engine.weight_files import safetensors_problem

    path = tmp_path / "x.safetensors"
    path.write_bytes(struct.pack("<Q", len(flipped)) + flipped + b"\0" * 64)
    assert safetensors_problem(path) == said


def test_a_header_nested_too_deep_to_parse_is_said_not_valid_json(tmp_path):
    """A header of 200,000 `[` whose length fits the file was an uncaught RecursionError, a traceback for a check."""
    import struct

    from vcam.engine.weight_files import safetensors_problem

    header = b"[" * 200_000
    path = tmp_path / "x.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 64)
    assert safetensors_problem(path) == "damaged header: not valid JSON"


def test_a_checkpoint_short_of_its_last_bytes_is_said_truncated(tmp_path):
    """A download cut a few bytes short is no whole file: the data ends 8 bytes (the header's length) after the
    offsets the header gives, and `8 + n + end` turned `n + end` took a file up to 8 bytes short for whole."""
    import torch
    from safetensors.torch import save_file

    from vcam.engine.weight_files import safetensors_problem

    path = tmp_path / "x.safetensors"
    save_file({"w": torch.arange(64, dtype=torch.float32)}, str(path))
    whole = path.read_bytes()
    assert safetensors_problem(path) is None
    for short in (1, 8):
        path.write_bytes(whole[:-short])
        assert safetensors_problem(path) == f"truncated: {len(whole) - short} of {len(whole)} bytes", short



def test_a_part_whose_folder_is_missing_is_named_once(tmp_path):
    """A folder without its config.json is one line, not a second one for its weights as well: dropping the
    `continue` after it listed "vae (no .safetensors weights)" beside "vae/config.json (missing)" for every part."""
    from vcam.engine.configs import KREA_FILE
    from vcam.engine.weight_files import check_files, layout

    with pytest.raises(WeightsError) as err:
        check_files(layout(tmp_path, tmp_path))
    assert err.value.message.splitlines()[1:] == [
        f"    {tmp_path / KREA_FILE} (missing)", f"    {tmp_path / 'text_encoder' / 'config.json'} (missing)",
        f"    {tmp_path / 'vae' / 'config.json'} (missing)", f"    {tmp_path / 'tokenizer'} (missing)"]


# --- TAEHV's file -----------------------------------------------------------------------------------------------


def test_taehvs_file_missing_with_the_hub_offline_is_said_and_never_fetched(tmp_path, monkeypatch):
    """HF_HUB_OFFLINE keeps vcam off the network for TAEHV's file too: `not download or _offline()` turned
    `not download` went to GitHub anyway (and, with no network, said "could not download" and "check the network")."""
    from vcam.engine import taehv_weights as tw

    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(tw, "_download", lambda *a, **k: pytest.fail("downloaded while offline"))
    with pytest.raises(WeightsError) as err:
        tw.find_taehv(None)
    assert err.value.message.endswith("and downloading is off") and "HF_HUB_OFFLINE" in err.value.fix


def test_a_part_seconds_old_on_a_file_system_without_locks_is_kept_as_another_shows(tmp_path, monkeypatch):
    """Without locks only a part's age tells, and another show's download writes every few seconds at most: a part
    last written 10 s ago is kept. The shorter age kept where locks tell (`LOCKED_STALE_S`) used there too removed
    that show's download under it."""
    from test_taehv import _download_into_cache, _part
    from vcam import filelock
    from vcam.engine import taehv_weights as tw

    monkeypatch.setattr(filelock, "try_lock", lambda fd: None)
    assert tw.LOCKED_STALE_S < 2 * tw.LOCKED_STALE_S < tw.STALE_PART_S
    recent, killed = _part(tmp_path, "recent", 2 * tw.LOCKED_STALE_S), _part(tmp_path, "killed", 2 * tw.STALE_PART_S)
    _download_into_cache(tmp_path)
    assert recent.exists() and not killed.exists()


# --- the card's memory ------------------------------------------------------------------------------------------


def test_a_card_with_exactly_what_everything_needs_free_holds_everything():
    """The plan's figure is what fits: `full.total <= free` turned `<` moved the text encoder to the CPU (a new prompt
    then takes seconds) on a card with exactly that much free."""
    from vcam.engine.configs import get_spec
    from vcam.engine.memory import estimate_vram, plan_memory

    spec = get_spec("krea-14b")
    full = estimate_vram(spec, 832, 480).total
    plan = plan_memory(spec, 832, 480, full)
    assert plan.text_on_gpu and not plan.offload_text_after_start and plan.note == "everything on the GPU"


def _parts_at_the_start_and_with_the_text_encoder_on_the_cpu(width, height):
    from vcam.engine.configs import get_spec
    from vcam.engine.memory import estimate_vram

    spec = get_spec("krea-14b")
    full = estimate_vram(spec, width, height)
    return spec, full.total - full.parts["kv cache"], estimate_vram(spec, width, height, text_on_gpu=False).total


def test_the_text_encoder_moved_after_the_start_is_planned_at_the_larger_of_its_two_peaks():
    """At 832x480 the start (text encoder and weights, no KV cache yet) is the larger peak; at 1280x720 the stream's
    KV cache outweighs the text encoder. `max(at_start, lean) <= free` turned `at_start <= free` planned the move on
    a card the stream then overran; `peak` always `lean` said a smaller need than the start's."""
    from vcam.engine.memory import plan_memory
    from vcam.errors import NotEnoughVRAMError

    spec, at_start, lean = _parts_at_the_start_and_with_the_text_encoder_on_the_cpu(832, 480)
    assert at_start > lean
    plan = plan_memory(spec, 832, 480, at_start)
    assert plan.offload_text_after_start and plan.estimate.total == at_start
    spec, at_start, lean = _parts_at_the_start_and_with_the_text_encoder_on_the_cpu(1280, 720)
    assert lean > at_start
    plan = plan_memory(spec, 1280, 720, lean)
    assert plan.offload_text_after_start and plan.estimate.total == lean
    with pytest.raises(NotEnoughVRAMError):
        plan_memory(spec, 1280, 720, (at_start + lean) // 2)


def test_a_card_adapted_to_fp8_at_the_asked_size_says_so_in_the_note():
    """The note says FP8 is what changed: `" in FP8"` dropped said "running 832x480 instead", the size asked."""
    from vcam.engine.configs import get_spec
    from vcam.engine.memory import GIB, plan_memory

    plan = plan_memory(get_spec("krea-14b"), 832, 480, 30.5 * GIB, fp8_possible=True, adapt=True)
    assert plan.adapted == (832, 480, "fp8")
    assert "running 832x480 in FP8 instead" in plan.note



def test_a_card_that_fp8_would_not_fit_either_is_not_told_to_install_fp8(monkeypatch):
    """A 16 GB card that runs FP8, in an install without torchao, holds krea-14b in FP8 at no size: installing the
    extra would not help, so its line is left out. `least > total` dropped offered it all the same (a line that
    never names torchao itself: the extra's install line)."""
    import torch

    import vcam.engine.memory
    from vcam.engine.configs import get_spec
    from vcam.engine.memory import GIB, memory_plan
    from vcam.engine.speed import SpeedOptions
    from vcam.errors import NotEnoughVRAMError, install_fix

    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (int(15 * GIB), 16 * GIB))
    monkeypatch.setattr(vcam.engine.memory, "fp8_unsupported", lambda device: "FP8 needs torchao: pip install torchao")
    with pytest.raises(NotEnoughVRAMError) as err:
        memory_plan(get_spec("krea-14b"), torch.device("cuda"), 832, 480, torch.bfloat16, SpeedOptions(), adapt=True)
    assert "more than this GPU's 16.0 GiB" in err.value.fix
    assert install_fix("fp8") not in err.value.fix and "half the weight memory" not in err.value.fix



def test_fp8_from_weights_other_than_bf16_is_refused_with_the_dtype_to_use(monkeypatch):
    """torchao's per-row FP8 scales bf16 weights only: dropping the dtype check let a float16 load reach torchao
    minutes in, where the refusal says it before anything loads."""
    import torch

    import vcam.engine.quant as quant
    from vcam.errors import VcamError

    monkeypatch.setattr(quant, "fp8_unsupported", lambda device: None)
    quant.require_fp8(torch.device("cuda"), torch.bfloat16)
    with pytest.raises(VcamError) as err:
        quant.require_fp8(torch.device("cuda"), torch.float16)
    assert err.value.message == "FP8 is made from bf16 weights, not float16" and "bf16" in err.value.fix



@pytest.mark.parametrize("quant", ["fp8", "nvfp4"])
def test_a_quantization_refused_on_a_cpu_says_what_runs_there_and_which_cards_run_it(quant):
    """`vcam run --quant fp8` on a CPU was told to run in bf16 (a CPU runs float32) "or on a card that supports it",
    naming none."""
    import vcam
    from vcam.errors import VcamError

    with pytest.raises(VcamError) as err:
        vcam.load("tiny", progress=False, speed=vcam.SpeedOptions(quant=quant))
    assert "bf16" not in err.value.fix and "float32" in err.value.fix, err.value.fix
    assert ("compute capability 8.9 or newer" if quant == "fp8" else "Blackwell cards") in err.value.fix


def test_an_fp8_card_without_torchao_is_told_to_install_it_not_to_find_another_card(monkeypatch):
    """An Ada or Hopper card lacking torchao was sent "on a card that supports it": this one does, once installed."""
    import torch

    import vcam.engine.quant as quant
    from vcam.errors import VcamError

    monkeypatch.setattr(quant, "fp8_unsupported", lambda device: "FP8 needs torchao: pip install torchao")
    with pytest.raises(VcamError) as err:
        quant.require_fp8(torch.device("cuda"), torch.bfloat16)
    assert err.value.fix == "install it as said, or run without --quant fp8 (bf16)"


# --- the download's room ----------------------------------------------------------------------------------------


def test_files_the_cache_holds_already_need_no_room_on_the_disk(tmp_path, monkeypatch):
    """A download cut short after the checkpoint (28.6 GB) finished needs room for the text encoder alone: the dry
    run's files that will not download counted too (`will_download` ignored) refused a disk with room to finish."""
    from types import SimpleNamespace

    from test_weights_hub import WAN_BYTES, assert_fetched, online_hub, sizes
    from vcam.engine import hub
    from vcam.engine.configs import KREA_REPO

    def dry(repo, **kw):
        done = repo == KREA_REPO  # the checkpoint's repo is whole in the cache
        return [SimpleNamespace(**{**vars(f), "will_download": not done}) for f in sizes(repo)]

    online_hub(monkeypatch)
    monkeypatch.setattr(hub, "_free_bytes", lambda path: WAN_BYTES + 2 * hub.DISK_MARGIN)
    assert_fetched(monkeypatch, dry, tmp_path / "hub")



# --- the machine's memory ---------------------------------------------------------------------------------------


def test_a_container_limit_above_what_the_machine_has_free_is_not_what_is_said():
    """Under a 16 GiB container limit on a host with 4 GiB free, the refusal says the 4 GiB: `limit <= machine`
    dropped said "16.0 GiB is free under this container's memory limit", more than the text encoder needed, as the
    reason it was refused."""
    from vcam.engine.memory import GIB, HostFree

    free = HostFree(available=4 * GIB, swap=GIB, limit=16 * GIB)
    assert free.total == 5 * GIB
    assert free.said() == "5.0 GiB is free (4.0 GiB available + 1.0 GiB of swap)"
    assert HostFree(available=4 * GIB, limit=5 * GIB).said() == "4.0 GiB is free (4.0 GiB available + 0.0 GiB of swap)"
    assert HostFree(available=8 * GIB, limit=5 * GIB).said() == "5.0 GiB is free under this container's memory limit"



def _limited(folder, limit: int, used: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "memory.max").write_text(f"{limit}\n")
    (folder / "memory.current").write_text(f"{used}\n")
    (folder / "memory.stat").write_text(f"anon {used}\n")


def test_where_the_machines_free_memory_cannot_be_read_the_containers_room_still_bounds_it(tmp_path):
    """A container hiding /proc/meminfo but not its cgroup: the room under its limit is what it has. Returning None
    there skipped the check, and the kernel killed the show as its text encoder moved to the CPU."""
    from vcam.engine.memory import GIB, host_ram_free

    proc = tmp_path / "proc"
    (proc / "self").mkdir(parents=True)
    (proc / "self" / "cgroup").write_text("0::/ctr\n")
    _limited(tmp_path / "cgroup" / "ctr", 8 * GIB, 5 * GIB)
    free = host_ram_free(str(proc), str(tmp_path / "cgroup"))
    assert free is not None and free.total == 3 * GIB
    assert free.said() == "3.0 GiB is free under this container's memory limit"


def test_of_nested_cgroup_limits_the_tightest_is_the_room(tmp_path):
    """A pod's limit inside a node's: the least room among them bounds the show (`min` turned `max` took the
    loosest one and passed a text encoder the inner limit killed)."""
    from vcam.engine.memory import GIB, host_ram_free

    proc = tmp_path / "proc"
    (proc / "self").mkdir(parents=True)
    (proc / "meminfo").write_text(f"MemAvailable:   {64 * GIB // 1024} kB\n")
    (proc / "self" / "cgroup").write_text("0::/node/pod\n")
    _limited(tmp_path / "cgroup" / "node", 32 * GIB, 10 * GIB)
    _limited(tmp_path / "cgroup" / "node" / "pod", 12 * GIB, 8 * GIB)
    assert host_ram_free(str(proc), str(tmp_path / "cgroup")).total == 4 * GIB



def _plan(text_on_gpu: bool, offload: bool):
    from vcam.engine.memory import MemoryPlan, VRAMEstimate

    return MemoryPlan(text_on_gpu, VRAMEstimate({}), "", offload_text_after_start=offload)


def test_the_machines_memory_refusal_says_when_the_text_encoder_goes_there_and_exactly_enough_passes():
    """"once the first prompts are encoded" where the plan moves it then (the machine's memory is needed minutes
    into the show, not at its start): one wording for both said the wrong moment. Exactly the memory it needs
    free passes (`need <= free` turned `<` refused it)."""
    from vcam.engine.configs import get_spec
    from vcam.engine.memory import GIB, HOST_HEADROOM, HostFree, check_host_ram, text_encoder_bytes
    from vcam.errors import NotEnoughRAMError

    spec = get_spec("krea-14b")
    for plan, when in ((_plan(False, False), "from the start"), (_plan(True, True), "once the first prompts are "
                                                                                     "encoded")):
        with pytest.raises(NotEnoughRAMError) as err:
            check_host_ram(spec, plan, 832, 480, 40 * GIB, free_ram=lambda: HostFree(GIB))
        assert err.value.message.startswith(f"{spec.name}'s text encoder goes to the CPU {when} (too little GPU")
    need = text_encoder_bytes(spec) + HOST_HEADROOM
    check_host_ram(spec, _plan(False, False), 832, 480, 40 * GIB, free_ram=lambda: HostFree(need))


def test_running_out_of_memory_in_fp8_is_not_told_to_use_fp8(monkeypatch):
    """The fix offers --quant fp8 only where the show is not in FP8 (or NVFP4) already: dropping `quant == "none"`
    told a show running out of memory in FP8 to start again with --quant fp8."""
    import torch

    import vcam.engine.memory as memory

    monkeypatch.setattr(memory, "fp8_unsupported", lambda device: None)
    cuda = torch.device("cuda")
    assert "--quant fp8" in memory.out_of_memory_fix(cuda, "none")
    for quant in ("fp8", "nvfp4"):
        assert "--quant fp8" not in memory.out_of_memory_fix(cuda, quant)


def test_the_planned_settings_of_a_show_that_does_not_adapt_are_the_ones_asked(monkeypatch):
    """Without --adapt (or with it) a show's tuned speed options are looked up at the size that will run: the
    plan's adapted size taken without `adapt` looked up another size's options than the one the show loads at."""
    import torch

    import vcam.engine.memory as memory
    from vcam.engine.memory import MemoryPlan, VRAMEstimate

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    plan = MemoryPlan(False, VRAMEstimate({}), "", adapted=(576, 320, "fp8"))
    monkeypatch.setattr(memory, "memory_plan", lambda *a, **k: (plan, 0))
    assert memory.planned_settings("krea-14b", 832, 480, "none", adapt=False) == (832, 480, "none")
    assert memory.planned_settings("krea-14b", 832, 480, "none", adapt=True) == (576, 320, "fp8")



# --- loading as the plan says -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text_on_gpu, offload", [(False, False), (True, True)])
def test_a_load_runs_at_the_size_and_precision_the_plan_adapted_to_with_the_text_encoder_where_it_put_it(
        monkeypatch, text_on_gpu, offload):
    """A card too small for 832x480 in bf16 runs 576x320 in FP8, as its log line says: the adapted quant dropped
    from the speed options loaded bf16 weights at the smaller size (out of memory on a card planned for FP8); the
    plan's text encoder device ignored loaded it on a card planned without it; the size left off the engine
    streamed at the size that did not fit."""
    import torch

    import vcam.engine.load as load_module
    from vcam.engine.memory import GIB, MemoryPlan, VRAMEstimate

    plan = MemoryPlan(text_on_gpu, VRAMEstimate({"transformer": 20 * GIB}), "adapted",
                      offload_text_after_start=offload, adapted=(576, 320, "fp8"))
    monkeypatch.setattr(load_module, "memory_plan", lambda *a, **k: (plan, 22 * GIB))
    monkeypatch.setattr(load_module, "check_host_ram", lambda *a, **k: None)
    monkeypatch.setattr(load_module, "fp8_unsupported", lambda device: None)  # an FP8 card, here without one
    built = {}

    def fake_built(spec, weights, device, dtype, speed, text_device, offload, progress, report, log):
        built.update(speed=speed, text_device=text_device, offload=offload)
        return load_module.Engine(spec, None, None, None, device, speed=speed)

    monkeypatch.setattr(load_module, "_built", fake_built)
    engine = load_module.load("krea-14b", device="cuda", progress=False, adapt=True)
    assert built["speed"].quant == "fp8" and (engine.width, engine.height) == (576, 320)
    assert built["text_device"] == (torch.device("cuda") if text_on_gpu else torch.device("cpu"))
    assert built["offload"] is offload


# --- survivors of the hub, quant and load passes ------------------------------------------------------------------


def test_a_partial_download_is_resumed_where_the_hub_cannot_say_which_file_it_is(tmp_path, monkeypatch):
    """Where the hub answers the dry run but not which blob each file is (an older hub, a refused path query), the
    partial files are taken as the download's, as before that query: 20 GB of the checkpoint fetched leave room
    enough on a 40 GB disk. Counting them as never resumed refused that disk and told to delete them."""
    from huggingface_hub import HfApi

    from test_weights_hub import assert_fetched, online_hub, partial_blob, sizes_at
    from vcam.engine import hub

    def no_answer(self, *a, **kw):
        raise OSError("the hub could not say")

    online_hub(monkeypatch)
    monkeypatch.setattr(hub, "_hub_resumes", lambda: True)  # huggingface_hub 1.x, which resumes BLOB.incomplete
    monkeypatch.setattr(HfApi, "get_paths_info", no_answer)
    partial_blob(tmp_path, "0123abcd", 20_000_000_000)
    monkeypatch.setattr(hub, "_free_bytes", lambda path: 40_000_000_000)
    assert_fetched(monkeypatch, sizes_at, tmp_path / "hub")


def test_a_torchao_whose_mx_formats_lacks_the_nvfp4_config_is_told_to_update(monkeypatch):
    """A torchao whose prototype mx_formats imports but has no NVFP4DynamicActivationNVFP4WeightConfig (a release
    before 0.18) is refused with the version to install: checking the import alone passed it, and the load failed
    minutes in with torchao's ImportError."""
    import sys
    from types import ModuleType

    import torch

    from vcam.engine.quant import nvfp4_unsupported

    pytest.importorskip("torchao.prototype")
    import torchao.prototype

    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (12, 0))
    monkeypatch.setattr(torch.version, "cuda", "12.8")
    monkeypatch.setattr(torch.version, "hip", None)
    assert nvfp4_unsupported(torch.device("cuda")) is None
    older = ModuleType("torchao.prototype.mx_formats")
    monkeypatch.setitem(sys.modules, "torchao.prototype.mx_formats", older)
    monkeypatch.setattr(torchao.prototype, "mx_formats", older, raising=False)
    why = nvfp4_unsupported(torch.device("cuda"))
    assert why is not None and why.startswith("NVFP4 needs torchao 0.18 or newer (this is ")
    assert why.endswith('pip install "torchao>=0.18"')


def test_a_load_without_weights_says_it_fetches_them_from_the_hub_and_a_folder_does_not(tmp_path, monkeypatch):
    """A first run with no --weights says, before the download's own line, that it fetches them and about how much
    (tens of GB, minutes): nothing said there left the log silent on why a start took so long. A --weights folder
    is no download, and is not said as one."""
    import torch

    import vcam.engine.load as load_module
    from vcam.engine import hub
    from vcam.engine.configs import get_spec
    from vcam.engine.speed import SpeedOptions

    class Stop(Exception):
        pass

    def stop(*a, **k):
        raise Stop

    monkeypatch.setattr(hub, "from_hub", stop)
    monkeypatch.setattr(hub, "cached", lambda spec: None)
    monkeypatch.setattr(load_module, "from_folder", stop)
    for weights, lines in ((None, [f"fetching weights from the Hugging Face hub (first run: up to about "
                                   f"{hub.HUB_DOWNLOAD_GB} GB, with a progress line)"]), (tmp_path, [])):
        said = []
        with pytest.raises(Stop):
            load_module._built(get_spec("krea-14b"), weights, torch.device("cpu"), torch.bfloat16, SpeedOptions(),
                               torch.device("cpu"), False, False, None, said.append)
        assert said == lines, weights


def test_a_load_from_a_whole_hub_cache_does_not_say_it_fetches_them(tmp_path, weights_folder, monkeypatch):
    """A show started from a whole hub cache (no network, on a stage) was told at every start that the weights were
    being fetched from the hub, tens of GB."""
    import torch

    import vcam.engine.load as load_module
    from test_weights import fill_hub_cache
    from vcam.engine import hub
    from vcam.engine.configs import get_spec
    from vcam.engine.speed import SpeedOptions

    class Stop(Exception):
        pass

    def stop(*a, **k):
        raise Stop

    fill_hub_cache(tmp_path / "hub", weights_folder)
    real_cached = hub.cached
    monkeypatch.setattr(hub, "cached", lambda spec: real_cached(spec, str(tmp_path / "hub")))
    monkeypatch.setattr(hub, "from_hub", stop)
    monkeypatch.setattr(load_module.W, "load_checkpoint", stop)  # the files were found: nothing more to see
    said = []
    with pytest.raises(Stop):
        load_module._built(get_spec("krea-14b"), None, torch.device("cpu"), torch.bfloat16, SpeedOptions(),
                           torch.device("cpu"), False, False, None, said.append)
    assert said == [f"loading transformer from {tmp_path / 'hub'}/models--krea--krea-realtime-video/snapshots/0/"
                    "krea-realtime-video-14b.safetensors"], said


def test_which_quantization_cannot_run_here_is_said_for_the_one_asked(monkeypatch):
    """`vcam live --quant fp8` on a card without FP8 is refused with FP8's reason, `--quant nvfp4` with NVFP4's:
    swapped, a Hopper card was refused FP8 for lacking Blackwell and let NVFP4 through to fail at load."""
    import torch

    import vcam.engine.load as load_module

    monkeypatch.setattr(load_module, "default_device", lambda spec: torch.device("cuda"))
    monkeypatch.setattr(load_module, "fp8_unsupported", lambda device: f"no FP8 on {device}")
    monkeypatch.setattr(load_module, "nvfp4_unsupported", lambda device: f"no NVFP4 on {device}")
    assert load_module.quant_unsupported("tiny", "fp8") == "no FP8 on cuda"
    assert load_module.quant_unsupported("tiny", "nvfp4") == "no NVFP4 on cuda"
    assert load_module.quant_unsupported("tiny", "none") is None and load_module.quant_unsupported("tiny", None) is None


# --- vcam's own cache folder ------------------------------------------------------------------------------------


def test_vcams_cache_folder_given_with_a_tilde_or_empty_is_read_as_a_shell_would(tmp_path, monkeypatch):
    """VCAM_CACHE_DIR=~/vcam set where no shell expands it (a docker ENV) is the home folder's, not a folder named ~
    in the current one; set empty (`VCAM_CACHE_DIR= vcam live`) it is unset, not the current folder."""
    from vcam.engine.cachedir import cache_dir

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("VCAM_CACHE_DIR", "~/vcam")
    assert cache_dir() == tmp_path / "home" / "vcam"
    monkeypatch.setenv("VCAM_CACHE_DIR", "")
    assert cache_dir() == tmp_path / "home" / ".cache" / "vcam"


@pytest.fixture
def compile_cache_unset(monkeypatch, tmp_path):
    """The compile caches' variables as a fresh shell has them (none set), restored afterwards; vcam's cache in
    tmp_path."""
    for name in ("TORCHINDUCTOR_CACHE_DIR", "TRITON_CACHE_DIR"):
        monkeypatch.setenv(name, "placeholder")  # remembered as it was, for the undo
        monkeypatch.delenv(name)
    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_compiled_kernels_go_to_vcams_cache_where_no_folder_was_chosen(compile_cache_unset):
    """With neither variable set, inductor's and Triton's kernels both land in vcam's cache, which outlives /tmp:
    Triton's left unset kept its kernels in ~/.triton, and inductor's in /tmp, compiled again on every machine."""
    import os

    from vcam.engine.cachedir import keep_compiled_kernels

    assert keep_compiled_kernels() == compile_cache_unset / "inductor"
    assert os.environ["TORCHINDUCTOR_CACHE_DIR"] == str(compile_cache_unset / "inductor")
    assert os.environ["TRITON_CACHE_DIR"] == str(compile_cache_unset / "inductor" / "triton")


def test_pytorchs_own_default_is_replaced_and_a_chosen_folder_kept(compile_cache_unset, monkeypatch):
    """PyTorch writes its /tmp default into TORCHINDUCTOR_CACHE_DIR itself once imported: that value is replaced as
    if unset. A folder the user chose is kept, with the Triton folder they chose or left as it was."""
    import os

    pytest.importorskip("torch._inductor.runtime.cache_dir_utils")
    from torch._inductor.runtime.cache_dir_utils import default_cache_dir

    from vcam.engine.cachedir import keep_compiled_kernels

    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", default_cache_dir())
    monkeypatch.setenv("TRITON_CACHE_DIR", "/chosen/triton")
    assert keep_compiled_kernels() == compile_cache_unset / "inductor"
    assert os.environ["TRITON_CACHE_DIR"] == "/chosen/triton"
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", "/chosen/inductor")
    monkeypatch.delenv("TRITON_CACHE_DIR")
    assert keep_compiled_kernels() == Path("/chosen/inductor")
    assert os.environ["TORCHINDUCTOR_CACHE_DIR"] == "/chosen/inductor" and "TRITON_CACHE_DIR" not in os.environ


# --- the card a show runs on ------------------------------------------------------------------------------------


@pytest.fixture
def card_calls(monkeypatch):
    """torch.cuda's calls that the device's checks make, recorded with the card current at each: `broken` makes
    synchronizing raise, as a card whose context is gone does."""
    from contextlib import contextmanager
    from types import SimpleNamespace

    import torch

    state = SimpleNamespace(calls=[], current="cuda:0", broken=False)

    @contextmanager
    def current(device):
        before, state.current = state.current, str(device)
        try:
            yield
        finally:
            state.current = before

    def synchronize(device=None):
        state.calls.append(("synchronize", str(device)))
        if state.broken:
            raise RuntimeError("CUDA error: an illegal memory access was encountered")

    monkeypatch.setattr(torch.cuda, "device", current)
    monkeypatch.setattr(torch.cuda, "synchronize", synchronize)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: state.calls.append(("empty_cache", state.current)))
    return state


def test_a_card_is_lost_only_where_synchronizing_it_fails(card_calls):
    """A show on cuda:1 asks that card, not cuda:0 (`synchronize()` with no device asked the other one); a failed
    synchronize is a lost card, a passing one is not; a CPU is never lost and no card is asked."""
    import torch

    from vcam.engine.device import device_unusable

    card = torch.device("cuda:1")
    assert device_unusable(card) is False and card_calls.calls == [("synchronize", "cuda:1")]
    card_calls.broken = True
    assert device_unusable(card) is True
    card_calls.calls.clear()
    assert device_unusable(torch.device("cpu")) is False and card_calls.calls == []


def test_running_out_of_memory_never_counts_as_a_lost_card(card_calls):
    """Running out of memory is retried with a smaller need, never given up as a lost card: `not` dropped from
    `not ran_out_of_memory(error)`, or the check dropped, gave up a show whose card only ran out of memory; any other
    error is a lost card only where the card fails to synchronize."""
    import torch

    from vcam.engine.device import lost_with, ran_out_of_memory

    card = torch.device("cuda:1")
    oom = torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
    assert ran_out_of_memory(oom) and not ran_out_of_memory(RuntimeError("boom"))
    card_calls.broken = True
    assert lost_with(card, oom) is False and card_calls.calls == []
    assert lost_with(card, RuntimeError("CUDA error: an illegal memory access was encountered")) is True
    card_calls.broken = False
    assert lost_with(card, RuntimeError("boom")) is False


def test_cached_memory_is_handed_back_on_the_shows_own_card(card_calls):
    """After a failed block the allocator's cache is emptied on the show's card (cuda:1), not whichever is current
    in the thread (cuda:0); a CPU show has none and asks no card."""
    import torch

    from vcam.engine.device import free_cached_memory, on_device

    free_cached_memory(torch.device("cpu"))
    assert card_calls.calls == []
    free_cached_memory(torch.device("cuda:1"))
    assert card_calls.calls == [("empty_cache", "cuda:1")]
    with on_device(torch.device("cuda:1")):
        assert card_calls.current == "cuda:1"
    with on_device(torch.device("cpu")):
        assert card_calls.current == "cuda:0"


def test_frames_and_the_value_read_with_them_come_back_as_they_were():
    """The frames come to the host unchanged and the 0-d value read with them (the block's check of its own frames)
    as its float: a changed value there misread every block."""
    import numpy as np
    import torch

    from vcam.engine.device import to_host_with_scalar

    frames = torch.arange(24, dtype=torch.uint8).reshape(2, 3, 4)
    host, value = to_host_with_scalar(frames, torch.tensor(3.5))
    assert isinstance(host, np.ndarray) and np.array_equal(host, frames.numpy()) and value == 3.5


# --- reading the transformer's checkpoint ------------------------------------------------------------------------


def _tiny_on_meta():
    import torch

    from vcam.engine.configs import get_spec
    from vcam.engine.model import CausalWanModel

    with torch.device("meta"):
        return CausalWanModel(get_spec("tiny").transformer)


def test_a_checkpoint_cut_short_read_directly_is_said_truncated_with_its_sizes(tmp_path, weights_folder):
    """load_checkpoint checks the file itself (the bench and tools call it without the folder's checks): skipping
    that said safetensors' own wording ("incomplete metadata") where the sizes say what is wrong."""
    import torch

    from vcam.engine.configs import KREA_FILE
    from vcam.engine.weights import DAMAGED_FIX, load_checkpoint

    whole = (weights_folder / KREA_FILE).read_bytes()
    path = tmp_path / KREA_FILE
    path.write_bytes(whole[:len(whole) // 2])
    with pytest.raises(WeightsError) as err:
        load_checkpoint(_tiny_on_meta(), path, torch.device("cpu"), torch.float32, progress=False)
    assert err.value.message == f"checkpoint {path} is damaged (truncated: {len(whole) // 2} of {len(whole)} bytes)"
    assert err.value.fix == DAMAGED_FIX


def test_a_checkpoint_lacking_a_key_alone_is_said_with_krea_s_file_as_the_fix(tmp_path):
    """One tensor missing and none extra is a mismatch too: `missing and unexpected` read on, and stopped with a
    bare KeyError. The caller's fix is given where it has one, else Krea's own file is named."""
    import torch

    from fixtures import save_krea_checkpoint
    from vcam.engine.configs import KREA_FILE, get_spec
    from vcam.engine.load import _random_engine
    from vcam.engine.weights import load_checkpoint

    path = tmp_path / KREA_FILE
    save_krea_checkpoint(_random_engine(get_spec("tiny"), torch.device("cpu"), torch.float32).model, path,
                         drop=("head.modulation",))
    with pytest.raises(WeightsError) as err:
        load_checkpoint(_tiny_on_meta(), path, torch.device("cpu"), torch.float32, progress=False)
    assert err.value.message == f"checkpoint {path} does not match the model: 1 missing keys (head.modulation)"
    assert err.value.fix == "use the krea-realtime-video-14b.safetensors file from krea/krea-realtime-video"
    with pytest.raises(WeightsError) as err:  # the caller's fix where Krea's file is not the answer (tiny)
        load_checkpoint(_tiny_on_meta(), path, torch.device("cpu"), torch.float32, progress=False,
                        mismatch_fix="leave out --weights")
    assert err.value.fix == "leave out --weights"


def test_loading_the_transformer_reports_its_progress_a_twentieth_at_a_time(weights_folder):
    """The status line a live page shows while the transformer loads: from 0%, at every twentieth of its tensors,
    with the share read so far."""
    import torch

    from vcam.engine.configs import KREA_FILE
    from vcam.engine.weights import load_checkpoint

    model = _tiny_on_meta()
    n = len(model.state_dict())
    assert n >= 40  # enough tensors for twenty lines
    said = []
    load_checkpoint(model, weights_folder / KREA_FILE, torch.device("cpu"), torch.float32, progress=False,
                    report=said.append)
    step = n // 20
    assert said == [f"loading transformer {100 * i // n}%" for i in range(0, n, step)]
    assert said[0] == "loading transformer 0%" and len(said) >= 20


def test_a_bf16_load_keeps_the_parameters_that_stay_float32_in_float32(weights_folder):
    """Loaded for bf16, the modulation and norms the model keeps in float32 stay float32 (as a random model builds
    them): `param_dtype` dropped converted them to bf16 with the rest, losing the precision kept for them."""
    import torch

    from vcam.engine.configs import KREA_FILE
    from vcam.engine.model import param_dtype
    from vcam.engine.weights import load_checkpoint

    model = _tiny_on_meta()
    load_checkpoint(model, weights_folder / KREA_FILE, torch.device("cpu"), torch.bfloat16, progress=False)
    got = {name: t.dtype for name, t in model.state_dict().items()}
    assert got == {name: param_dtype(name, torch.bfloat16) for name in got}
    assert set(got.values()) == {torch.float32, torch.bfloat16}


# --- the card krea-14b needs ------------------------------------------------------------------------------------


def test_an_ampere_card_of_capability_8_0_runs_krea(monkeypatch):
    """An A100 (8.0) is the first card with bf16 tensor cores and runs krea-14b: `<=` in place of `<` refused it."""
    import torch

    from vcam.engine.configs import get_spec
    from vcam.engine.weights import check_cuda

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.version, "hip", None)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (8, 0))
    assert check_cuda(get_spec("krea-14b")) == torch.device("cuda")


def test_no_gpu_says_whether_pytorch_was_built_without_cuda_or_finds_no_card(monkeypatch):
    """A CPU-only PyTorch (pip's default wheel on some machines) is said as such, a CUDA build that sees no card as
    that: one wording for both sent the first to look for a driver problem."""
    import torch

    from vcam.engine.configs import get_spec
    from vcam.engine.weights import NoGPUError, check_cuda

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    for cuda, said in ((None, "a CPU-only build of PyTorch"), ("12.8", "no usable CUDA GPU")):
        monkeypatch.setattr(torch.version, "cuda", cuda)
        with pytest.raises(NoGPUError) as err:
            check_cuda(get_spec("krea-14b"))
        assert err.value.message == f"krea-14b needs a CUDA GPU, and this machine has {said}"


def test_the_checkpoints_progress_ends_at_the_whole_file(weights_folder):
    """The last progress line of a checkpoint read says 100%: its tensors alone never reach the file's size (its
    header is counted in it), and without the final update a log's last line said the read stopped short."""
    import io

    import torch

    from vcam.engine.configs import KREA_FILE
    from vcam.engine.weights import load_checkpoint

    out = io.StringIO()
    load_checkpoint(_tiny_on_meta(), weights_folder / KREA_FILE, torch.device("cpu"), torch.float32, out=out)
    lines = out.getvalue().splitlines()
    assert lines and lines[-1].startswith(f"vcam: loading {KREA_FILE}: ") and "(100%)" in lines[-1], lines


def test_a_sharded_part_is_checked_by_its_shards_not_a_single_file_beside_them(tmp_path):
    """diffusers reads the shards an index names, never the single-file name beside them (a VAE of another model
    kept there): checking that file instead refused a sharded folder that loads."""
    import json

    import torch
    from safetensors.torch import save_file
    from torch import nn

    from vcam.engine.weights import DIFFUSERS_FILE, check_part

    model = nn.Linear(4, 2)
    save_file({"weight": torch.zeros(2, 4)}, str(tmp_path / "diffusion_pytorch_model-00001-of-00002.safetensors"))
    save_file({"bias": torch.zeros(2)}, str(tmp_path / "diffusion_pytorch_model-00002-of-00002.safetensors"))
    (tmp_path / "diffusion_pytorch_model.safetensors.index.json").write_text(json.dumps({"weight_map": {
        "weight": "diffusion_pytorch_model-00001-of-00002.safetensors",
        "bias": "diffusion_pytorch_model-00002-of-00002.safetensors"}}))
    save_file({"weight": torch.zeros(3, 3)}, str(tmp_path / DIFFUSERS_FILE))  # another model's
    check_part(tmp_path, model)


@pytest.mark.parametrize("blocker", ["file", "read-only"])
def test_a_cache_folder_that_cannot_be_written_leaves_the_kernels_in_pytorchs_folder_and_says_so(
        compile_cache_unset, monkeypatch, capsys, blocker):
    """A read-only home, or VCAM_CACHE_DIR naming a file: torch.compile stopped the show once the model had loaded,
    with "No such file or directory" and no fix. The kernels go to PyTorch's own folder, said once."""
    import os

    import vcam.engine.cachedir as cachedir

    if blocker == "file":
        (compile_cache_unset / "a file").write_text("")
        monkeypatch.setenv("VCAM_CACHE_DIR", str(compile_cache_unset / "a file" / "vcam"))
    else:
        monkeypatch.setattr(cachedir.os, "access", lambda path, mode: False)
    monkeypatch.setattr(cachedir, "_said", set())
    cachedir.keep_compiled_kernels()
    cachedir.keep_compiled_kernels()
    assert os.environ.get("TORCHINDUCTOR_CACHE_DIR") is None and os.environ.get("TRITON_CACHE_DIR") is None
    err = capsys.readouterr().err
    assert err.count("vcam: compiled kernels cannot be kept in ") == 1, err
    assert "set VCAM_CACHE_DIR to a writable folder to keep them" in err
