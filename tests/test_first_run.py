"""A new user's first commands, as the README gives them, on a machine that lacks something: a package of the
install gone, no camera device, a terminal of an odd size. Each says what is missing and the line that fixes it."""
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import vcam
from vcam.cli import main
from vcam.cmdline.errorlines import DEPENDENCIES, missing_extra

ROOT = Path(vcam.__file__).parent.parent


def _without(tmp_path: Path, module: str) -> dict[str, str]:
    """The environment of a vcam whose install lacks `module`: a stand-in that fails to import as a missing one
    does, first on the path after vcam's own folder."""
    gone = tmp_path / "gone"
    gone.mkdir()
    (gone / f"{module}.py").write_text(f"raise ModuleNotFoundError(\"No module named '{module}'\", name='{module}')\n")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(gone)])}


def test_a_missing_opencv_is_named_with_the_pip_line_not_as_an_internal_error(tmp_path):
    """After the README's swap of OpenCV builds half done (both uninstalled, the install of the windowed one failed),
    `vcam run` said "ModuleNotFoundError: No module named 'cv2'" and pointed at VCAM_DEBUG."""
    done = subprocess.run([sys.executable, "-m", "vcam", "run", "--model", "tiny", "--out", "null", "--duration", "1",
                           "--no-stdin"], cwd=tmp_path, env=_without(tmp_path, "cv2"), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 2, done.stderr
    assert "needs opencv-python-headless" in done.stderr
    # forced: with opencv-python installed over the headless build and uninstalled, pip lists the headless one still
    assert "fix: pip install --force-reinstall opencv-python-headless" in done.stderr
    assert "opencv-python, for --out window" in done.stderr
    assert "VCAM_DEBUG" not in done.stderr and "Traceback" not in done.stderr


def test_a_missing_pyvirtualcam_is_named_with_the_pip_line(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pyvirtualcam", None)
    assert main(["run", "--model", "tiny", "--out", "vcam", "--duration", "1", "--no-stdin"]) == 2
    err = capsys.readouterr().err
    assert "vcam run needs pyvirtualcam" in err and "fix: pip install pyvirtualcam" in err
    assert "pip install -e ." in err and "VCAM_DEBUG" not in err


def test_a_missing_dependency_on_a_pypi_install_is_told_to_reinstall_from_pypi(monkeypatch, tmp_path):
    """A laptop's `pip install vcam` has no folder to run `pip install -e .` in."""
    import vcam.errors

    monkeypatch.setattr(vcam.errors, "__file__", str(tmp_path / "site-packages" / "vcam" / "errors.py"))
    said = missing_extra("cam", ModuleNotFoundError("no", name="av"))
    assert said.message.startswith("vcam cam needs av,") and "'av'" in said.message
    assert said.fix == "pip install av, or install vcam again: pip install vcam"


def test_every_dependency_named_is_one_the_package_installs_with_its_floor():
    """A package named in the fix that pyproject.toml does not list would install something vcam never imports; a
    floor other than pyproject's would upgrade to a version vcam does not need, or one that still fails it."""
    import tomllib

    listed = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert set(DEPENDENCIES.values()) <= {entry.lower() for entry in listed}


@pytest.mark.parametrize("name, requirement", [("websockets.sync", "websockets>=17.1"), ("numpy._core", "numpy>=2"),
                                               ("cv2.typing", "opencv-python-headless>=4.13")])
def test_a_module_missing_from_an_installed_dependency_is_said_too_old_not_missing(name, requirement):
    """websockets.sync (a websockets older than vcam's floor), numpy._core or cv2.typing was said "it is missing:
    pip install websockets", and pip answered "Requirement already satisfied"."""
    said = missing_extra("cam", ModuleNotFoundError("no", name=name))
    assert "too old or damaged" in said.message and "is missing" not in said.message and repr(name) in said.message
    assert said.fix.startswith(f'pip install -U --force-reinstall --no-deps "{requirement}"')
    assert ("or opencv-python, where that build is the one installed" in said.fix) == (name == "cv2.typing")


def test_a_module_of_an_extra_is_still_said_as_its_extra():
    said = missing_extra("run", ModuleNotFoundError("no", name="pythonosc"))
    assert "OSC support" in said.message and "[osc]" in said.fix
    assert missing_extra("run", ModuleNotFoundError("no", name="cv2x")) is None


@pytest.mark.parametrize("name", ["cv2", "pyvirtualcam", "yaml"])
def test_an_import_error_that_is_no_absence_is_left_to_the_internal_error(name):
    """A package that is there but fails inside (a broken build) is no missing package: pip would say it is there."""
    assert missing_extra("run", ImportError("cannot import name 'x' (unknown location)", name=name)) is None


def test_the_windowed_opencv_without_libgl_names_the_library_and_the_headless_build(tmp_path):
    """opencv-python (the README's step for the preview window) in a cloud container without a desktop's libraries
    failed every command with "ImportError: libGL.so.1: cannot open shared object file" and a pointer to
    VCAM_DEBUG."""
    gone = tmp_path / "nogl"
    gone.mkdir()
    (gone / "cv2.py").write_text('raise ImportError("libGL.so.1: cannot open shared object file: No such file or '
                                 'directory", name="cv2")\n')
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(gone)])}
    done = subprocess.run([sys.executable, "-m", "vcam", "run", "--model", "tiny", "--out", "null", "--duration", "1",
                           "--no-stdin"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert "the system library libGL.so.1 is missing" in done.stderr
    assert "pip uninstall -y opencv-python opencv-python-headless && pip install opencv-python-headless" in done.stderr
    assert "sudo apt install libgl1" in done.stderr and "VCAM_DEBUG" not in done.stderr


def test_a_terminal_that_gives_its_width_but_no_height_still_has_the_status_line_cut_to_its_width():
    """A pseudo-terminal whose rows read 0 (`script` or a container's console with no size sent, a serial line set
    to its columns alone) had the status line written whole: each redraw wrapped onto new rows and the terminal
    scrolled a screenful of half lines a second."""
    if sys.platform == "win32":
        pytest.skip("no pseudo-terminals")
    import fcntl
    import pty
    import struct
    import termios

    from vcam.live.status import StatusLine
    from vcam.terminal import terminal_columns

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 0, 40, 0, 0))
    with os.fdopen(leader, "rb", buffering=0) as screen, os.fdopen(follower, "w", encoding="utf-8") as terminal:
        assert terminal_columns(terminal) == 40
        StatusLine(terminal, pinned=False).update("LIVE | gen 29.7 fps | out 30.0 fps | buffer 19 | latency 0.6 s")
        shown = screen.read(4096).decode("utf-8")
    assert shown == "\rLIVE | gen 29.7 fps | out 30.0 fps | b…"


@pytest.mark.parametrize("text, seconds", [("1h30m", 5400.0), ("2m30s", 150.0), ("1h30m15s", 5415.0),
                                           ("1h15s", 3615.0), ("1.5h", 5400.0)])
def test_a_duration_in_hours_and_minutes_is_taken(text, seconds):
    """`--duration 1h30m` was refused with "give … 1h, 1:30", and 1:30 is a minute and a half: a show meant to run
    an hour and a half stopped after 90 seconds."""
    from vcam.cli import build_parser

    for argv in (["run", "--duration", text], ["cam", "ws://host", "--duration", text]):
        assert build_parser().parse_args(argv).duration == seconds


@pytest.mark.parametrize("text", ["30m1h", "1h1h", "1h30", "1hm", "1h-30m"])
def test_a_duration_that_mixes_units_out_of_order_is_refused_with_the_forms_spelled_out(text, capsys):
    with pytest.raises(SystemExit):
        main(["run", "--duration", text])
    err = capsys.readouterr().err
    assert f"{text!r} is not a length of time" in err
    assert "1:30 (a minute and a half), 1h30m or 1:30:00" in err


def test_a_camera_asked_for_on_a_machine_with_no_video_device_at_all_names_a_clip_and_the_laptops_camera(
        tmp_path, monkeypatch):
    """`vcam serve restyle-camera` on a rented GPU (its show's input: camera) was told to list the capture devices
    with ls /dev/video* and pick one, on a machine that has none: the way, its input from vcam cam --send, unsaid."""
    from vcam.live.inputs import camera
    from vcam.live.inputs.source import InputError

    monkeypatch.setattr(camera, "DEVICES", str(tmp_path))  # a /dev with no video node
    with pytest.raises(InputError) as refused:
        camera._check_node(str(tmp_path / "video0"), "--in")
    assert refused.value.message == "no capture device " + str(tmp_path / "video0")
    assert refused.value.fix.startswith("this machine has no video device at all")
    assert "--in file:CLIP.mp4" in refused.value.fix and "vcam serve with --in net" in refused.value.fix
    assert "--send camera" in refused.value.fix
    assert "pick one" not in refused.value.fix  # no advice to list the devices and pick one of none


def test_a_camera_missing_beside_other_video_devices_is_told_to_pick_one_of_them(tmp_path, monkeypatch):
    from vcam.live.inputs import camera
    from vcam.live.inputs.source import InputError

    dev = tmp_path / "dev"
    (dev / "v4l" / "by-id").mkdir(parents=True)
    (dev / "video2").write_bytes(b"")
    monkeypatch.setattr(camera, "DEVICES", str(dev))
    # a device's number mistyped, or its stable name under /dev/v4l/by-id (a folder with no videoN of its own)
    for path in (dev / "video0", dev / "v4l" / "by-id" / "usb-Logitech_C920-video-index1"):
        with pytest.raises(InputError) as refused:
            camera._check_node(str(path), "--in")
        assert refused.value.message == f"no capture device {path}"
        assert "no video device at all" not in refused.value.fix and "pick one" in refused.value.fix
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(camera, "DEVICES", str(empty))
    with pytest.raises(InputError) as sent:  # the laptop's own camera, for --send: no advice to send it from here
        camera._check_node(str(empty / "video0"), "--send")
    assert "--in net" not in sent.value.fix and "no video device at all" not in sent.value.fix


@pytest.fixture
def homeless(monkeypatch):
    """A user with no home folder: HOME unset and no passwd entry for the uid, as a container run with --user UID
    has it. Python then reads ~ as itself, and Path.home() raises RuntimeError."""
    import pwd

    def unknown(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("VCAM_CACHE_DIR", "")  # recorded: a run's own cache folder, kept there, goes with the test
    monkeypatch.delenv("VCAM_CACHE_DIR")
    monkeypatch.setattr(pwd, "getpwuid", unknown)
    assert os.path.expanduser("~") == "~"


@pytest.mark.skipif(sys.platform == "win32", reason="a passwd entry is a POSIX thing")
def test_a_user_with_no_home_keeps_the_tuning_in_the_temporary_folder_and_says_so(homeless, capsys, monkeypatch,
                                                                                   tmp_path):
    """`vcam run --model tiny --out null` ended with "RuntimeError: Could not determine home directory" before it
    loaded anything, where the tuning file was looked for."""
    import tempfile

    from vcam.bench.tuning import tuning_path
    from vcam.engine import cachedir

    monkeypatch.setattr(cachedir, "_said", set())
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    path = tuning_path()
    assert path.parent.parent == Path(tempfile.gettempdir()) and path.name == "tuning.json"
    err = capsys.readouterr().err
    assert "this user has no home folder" in err and str(path.parent) in err and "VCAM_CACHE_DIR" in err


@pytest.mark.skipif(sys.platform == "win32", reason="a passwd entry is a POSIX thing")
@pytest.mark.parametrize("planted", ["open to all", "a link", "another user's"])
def test_with_no_home_a_temporary_cache_folder_another_user_could_fill_is_left_alone(homeless, monkeypatch, capsys,
                                                                                      tmp_path, planted):
    """The compiled kernels in the cache are run: /tmp/vcam-cache-UID made first by another user (or writable by
    all, or a link to a folder of theirs) was used as it was, and kernels put in it ran in the show."""
    import tempfile

    from vcam.engine import cachedir

    monkeypatch.setattr(cachedir, "_said", set())
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    usual = tmp_path / f"vcam-cache-{os.getuid()}"
    if planted == "a link":
        (tmp_path / "theirs").mkdir(mode=0o700)
        usual.symlink_to(tmp_path / "theirs")
    else:
        usual.mkdir()
        usual.chmod(0o777 if planted == "open to all" else 0o700)
        if planted == "another user's":
            if os.getuid() != 0:
                pytest.skip("giving a folder to another user takes root")
            os.chown(usual, 65534, 65534)
    folder = cachedir.cache_dir()
    assert folder != usual and folder.parent == tmp_path and folder.name.startswith("vcam-cache-")
    st = os.lstat(folder)
    assert st.st_uid == os.getuid() and st.st_mode & 0o777 == 0o700
    assert cachedir.cache_dir() == folder  # one folder for the whole run: the tuning saved is found again
    child = subprocess.run([sys.executable, "-c", "from vcam.engine.cachedir import cache_dir; print(cache_dir())"],
                           capture_output=True, text=True, timeout=120)
    assert child.stdout.strip() == str(folder)  # and by a process the run starts (a kernel compiler's worker)
    err = capsys.readouterr().err
    assert f"{usual} is not this user's own" in err and f"kept in {folder}" in err


@pytest.mark.skipif(sys.platform == "win32", reason="a passwd entry is a POSIX thing")
def test_with_no_home_the_temporary_cache_folder_is_made_for_this_user_alone(homeless, monkeypatch, tmp_path):
    import tempfile

    from vcam.engine import cachedir

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    usual = tmp_path / f"vcam-cache-{os.getuid()}"
    assert cachedir.cache_dir() == usual
    assert usual.is_dir() and os.lstat(usual).st_mode & 0o777 == 0o700  # made first, as no one else's
    assert cachedir.cache_dir() == usual  # taken again, as its own


@pytest.mark.skipif(sys.platform == "win32", reason="a passwd entry is a POSIX thing")
def test_a_hub_cache_in_a_home_there_is_none_of_says_to_set_hf_home(homeless, monkeypatch):
    """`vcam download` ended with "RuntimeError: Could not determine home directory" from inside huggingface_hub."""
    from huggingface_hub import constants

    from vcam.engine.configs import get_spec
    from vcam.engine.hub import cached
    from vcam.errors import WeightsError

    monkeypatch.setattr(constants, "HF_HUB_CACHE", "~/.cache/huggingface/hub")  # as the hub makes it without a home
    with pytest.raises(WeightsError) as refused:
        cached(get_spec("krea-14b"))
    assert "this user has none" in refused.value.message and "export HF_HOME=" in refused.value.fix


@pytest.mark.skipif(sys.platform == "win32", reason="a passwd entry is a POSIX thing")
def test_with_no_home_a_show_folder_is_not_said_to_share_the_home_folder(homeless, tmp_path, monkeypatch):
    """`vcam serve show.yaml` with no home said its folder shared "the home folder or above it": ~ read as a folder
    named ~ in the current one, which lies inside any folder vcam was started in."""
    from vcam.control.media import MediaFolders

    monkeypatch.chdir(tmp_path)
    assert MediaFolders.chosen(None, str(tmp_path / "show.yaml")).too_wide() == []
    assert MediaFolders.chosen(["/"], None).too_wide() == ["/"]


@pytest.mark.skipif(sys.platform == "win32", reason="a passwd entry is a POSIX thing")
def test_with_no_home_a_map_named_under_the_home_folder_is_said_not_found(homeless, tmp_path, monkeypatch):
    """`--midi-map=~/x.yaml` (the shell leaves that ~) with no home: the map is said not found, as written."""
    from vcam.control.midimap import MAPS

    monkeypatch.chdir(tmp_path)
    assert MAPS.find("~/x.yaml", None) is None
    with pytest.raises(ValueError, match="^MIDI map '~/x.yaml' not found; shipped maps: "):
        MAPS.named("~/x.yaml", lambda path: path)


@pytest.mark.skipif(sys.platform == "win32", reason="the C locale is a POSIX thing")
def test_a_show_with_accents_is_checked_in_the_c_locale_with_python_utf8_mode_off(tmp_path):
    """LANG=C with PYTHONUTF8=0 gives stdout ASCII with "surrogateescape", which passes a file name's stray bytes
    but raises on an é: `vcam check` of a show named café ended on "'ascii' codec can't encode character"."""
    show = tmp_path / "show.yaml"
    show.write_text("name: café\npresets:\n  - {name: néon, prompt: a café in Zürich}\n", encoding="utf-8")
    env = {**os.environ, "LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONIOENCODING", None)
    done = subprocess.run([sys.executable, "-m", "vcam", "check", str(show)], capture_output=True, timeout=120,
                          env=env)
    out = done.stdout.decode("ascii")
    assert done.returncode == 0, done.stderr.decode("ascii", "replace")
    assert "show 'caf\\xe9'" in out and "n\\xe9on" in out and out.rstrip().endswith("ok")


def test_a_flag_with_two_letters_swapped_is_answered_with_that_flag(capsys):
    """`vcam serve --prot 9000` was answered "did you mean --prompt?": difflib ranks the longer word nearer than the
    one with two letters the wrong way round."""
    with pytest.raises(SystemExit):
        main(["serve", "--prot", "9000"])
    assert capsys.readouterr().err.rstrip().endswith("unrecognized arguments: --prot; did you mean --port?")


def test_a_swapped_pair_is_the_word_meant_unless_two_words_are_one_swap_away():
    from vcam.words import nearest

    assert nearest("prot", ["prompt", "port"]) == "port"
    assert nearest("bakc", ["back", "blackout", "black"]) == "back"
    assert nearest("ab", ["ba", "ab2"]) == "ba"
    assert nearest("abc", ["bac", "acb"], cutoff=0.0) in ("bac", "acb")  # two: left to the spelling's nearness
    assert nearest("prot", ["prompt"]) == "prompt"


def test_vcam_cam_without_websockets_says_so_at_once(tmp_path):
    """The link's thread died on the import with a traceback, and the camera waited 10 minutes for frames, then
    said the server "could not be reached"."""
    done = subprocess.run([sys.executable, "-m", "vcam", "cam", "ws://127.0.0.1:9", "--out", "null", "--duration", "1",
                           "--no-stdin"], cwd=tmp_path, env=_without(tmp_path, "websockets"), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "vcam cam needs websockets" in done.stderr and "fix: pip install websockets" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("module, package", [("yaml", "pyyaml"), ("numpy", "numpy")])
@pytest.mark.parametrize("argv", [["check", "presets/club.yaml"], ["--version"], []])
def test_a_dependency_missing_before_the_command_is_read_is_named_with_the_pip_line(tmp_path, module, package, argv):
    """pyyaml is loaded with vcam's own modules, numpy as its options are built: either one gone ended every
    command, `vcam --version` too, in a traceback."""
    done = subprocess.run([sys.executable, "-m", "vcam", *argv], cwd=ROOT, env=_without(tmp_path, module),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert f"vcam: error: vcam needs {package}, which vcam's install brings, and it is missing" in done.stderr
    assert f"fix: pip install {package}, or install vcam again: " in done.stderr and "Traceback" not in done.stderr


def test_the_vcam_command_names_a_missing_dependency_as_python_m_vcam_does(tmp_path):
    """The console script pip makes from pyproject.toml calls its entry point, not vcam/__main__.py's last line."""
    import tomllib

    entry = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]["vcam"]
    module, function = entry.split(":")
    script = f"import sys; from {module} import {function}; sys.exit({function}())"
    done = subprocess.run([sys.executable, "-c", script, "--version"], cwd=ROOT, env=_without(tmp_path, "yaml"),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "vcam needs pyyaml" in done.stderr and "Traceback" not in done.stderr


def test_an_import_failure_that_names_no_package_of_the_install_keeps_its_traceback(tmp_path):
    """Only a package of the install gone is said with pip's line; anything else is a fault to be seen whole, and
    VCAM_DEBUG shows the traceback of a missing package too."""
    gone = tmp_path / "gone"
    gone.mkdir()
    (gone / "yaml.py").write_text("raise ModuleNotFoundError(\"No module named 'vcam_own'\", name='vcam_own')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(gone)])}
    done = subprocess.run([sys.executable, "-m", "vcam", "--version"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" in done.stderr and "vcam_own" in done.stderr
    (tmp_path / "debug").mkdir()
    debug = subprocess.run([sys.executable, "-m", "vcam", "--version"], cwd=ROOT, capture_output=True, text=True,
                           env={**_without(tmp_path / "debug", "yaml"), "VCAM_DEBUG": "1"}, timeout=120)
    assert debug.returncode == 1 and "Traceback" in debug.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="the C locale is a POSIX thing")
def test_a_path_with_accents_from_the_command_line_prints_as_typed_in_the_c_locale(tmp_path):
    """In the C locale with Python's UTF-8 mode off, the path given read as undecodable bytes, which print back as
    they were; stdout's switch to escaping what ASCII lacks printed it as `caf\\udcc3\\udca9/show.yaml`."""
    folder = tmp_path / "café"
    folder.mkdir()
    (folder / "show.yaml").write_text("name: néon\npresets:\n  - {name: a, prompt: a room}\n", encoding="utf-8")
    env = {**os.environ, "LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
           "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONIOENCODING", None)
    done = subprocess.run([sys.executable, "-m", "vcam", "check", os.fsencode(folder / "show.yaml")],
                          capture_output=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr.decode("ascii", "replace")
    assert os.fsencode(folder / "show.yaml") + b": show 'n\\xe9on'" in done.stdout
    gone = subprocess.run([sys.executable, "-m", "vcam", "check", os.fsencode(folder / "gone.yaml")],
                          capture_output=True, timeout=120, env=env)
    assert gone.returncode == 2 and b"  " + os.fsencode(folder / "gone.yaml") + b": the show file does not exist" \
        in gone.stderr


# Runs the command (`python -m vcam` or the console script's lines) with a SIGINT sent to itself as the line
# `argv[3]` of the file `argv[2]` (vcam/__main__.py, vcam/cli.py) is about to run: a Ctrl-C at that instant.
_CTRL_C_AT = """\
import os, runpy, signal, sys
mode, where, line, *args = sys.argv[1:]
sys.argv = [sys.argv[0], *args]

def tracer(frame, event, arg):
    if not frame.f_code.co_filename.endswith(os.path.join("vcam", where)):
        return None
    if event == "line" and frame.f_lineno == int(line):
        sys.settrace(None)
        print("sent", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGINT)
    return tracer

sys.settrace(tracer)
if mode == "module":
    runpy.run_module("vcam", run_name="__main__", alter_sys=True)
else:
    from vcam.__main__ import run
    sys.exit(run())
"""


def _lines_between(path: Path, first: str, last: str) -> list[int]:
    """The numbers of the lines of `path` from the one after the line holding `first` to the one holding `last`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, text in enumerate(lines) if first in text) + 2
    end = next(i for i, text in enumerate(lines) if last in text and i + 1 >= start) + 1
    return list(range(start, end + 1))


@pytest.mark.slow  # a process per line
@pytest.mark.parametrize("mode", ["module", "script"])
def test_a_ctrl_c_at_any_line_before_the_command_takes_it_leaves_with_130_and_no_traceback(tmp_path, mode):
    """From vcam/__main__.py's handler on (installed as its first step), through run's lines and main's, to the
    options' try: each line a Ctrl-C could land on leaves with exit code 130 and no traceback, where one before
    run's try printed one."""
    harness = tmp_path / "ctrl_c_at.py"
    harness.write_text(_CTRL_C_AT, encoding="utf-8")
    entry, cli = ROOT / "vcam" / "__main__.py", ROOT / "vcam" / "cli.py"
    points = [("__main__.py", n) for n in _lines_between(entry, "_hold()  # first", "sys.exit(run())")]
    points += [("cli.py", n) for n in _lines_between(cli, "def main(", "code = _main(argv)")]
    sent = 0
    for where, line in points:
        done = subprocess.run([sys.executable, str(harness), mode, where, str(line), "--version"], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        if "sent" not in done.stderr:  # a line that does not run (a def's body, the other entry's line)
            continue
        sent += 1
        assert done.returncode == 130 and "Traceback" not in done.stderr, (where, line, done.stderr)
    assert sent >= 8


@pytest.mark.slow  # a process per line
def test_a_ctrl_c_before_bench_json_begins_still_gives_its_reader_one_json_object(tmp_path):
    """From vcam/__main__.py's handler on, through main's lines and _main's to the command: a Ctrl-C in vcam's first
    quarter second left `vcam bench --json` with exit code 130 and nothing on stdout, which no JSON reader takes."""
    stopped = "loading stopped (Ctrl-C) before the timing began: no result"  # as said once PyTorch loads
    harness = tmp_path / "ctrl_c_at.py"
    harness.write_text(_CTRL_C_AT, encoding="utf-8")
    entry, cli = ROOT / "vcam" / "__main__.py", ROOT / "vcam" / "cli.py"
    points = [("__main__.py", n) for n in _lines_between(entry, "_hold()  # first", "sys.exit(run())")]
    points += [("cli.py", n) for n in _lines_between(cli, "def main(", "code = _main(argv)")]
    points += [("cli.py", n) for n in _lines_between(cli, "def _main(", "}[args.command]")]
    sent = 0
    for where, line in points:
        # refused once begun (--tune times no split), where a line that does not run sends nothing
        done = subprocess.run([sys.executable, str(harness), "module", where, str(line), "bench", "--model", "tiny",
                               "--json", "--tune", "--split"], cwd=ROOT, capture_output=True, text=True, timeout=120)
        if "sent" not in done.stderr:
            continue
        sent += 1
        assert done.returncode == 130 and json.loads(done.stdout) == {"error": stopped}, (where, line, done)
        assert done.stderr.endswith(f"vcam: {stopped}\n"), (where, line, done.stderr)
    assert sent >= 12


# `python -m vcam` with the signal argv[1] sent to itself as the code named argv[2] starts, in vcam/bench/bench.py or
# the file before a colon (cmdline/bench.py:_live_compile): <module>, inside bench's import of PyTorch and the model
# code; _run_blocks, the warm-up
_SIGNAL_IN_BENCH = """\
import os, runpy, signal, sys
sig, where, *args = sys.argv[1:]
sys.argv = [sys.argv[0], *args]
path, _, name = where.rpartition(":")
path = os.path.join("vcam", *(path or "bench/bench.py").split("/"))

def tracer(frame, event, arg):
    if frame.f_code.co_filename.endswith(path) and frame.f_code.co_name == name:
        sys.settrace(None)
        print("sent", file=sys.stderr, flush=True)
        os.kill(os.getpid(), getattr(signal, sig))

sys.settrace(tracer)
runpy.run_module("vcam", run_name="__main__", alter_sys=True)
"""


@pytest.mark.slow  # a process of its own, with PyTorch
@pytest.mark.parametrize("sig, code, said", [("SIGTERM", 143, "SIGTERM"), ("SIGINT", 130, "Ctrl-C")])
@pytest.mark.parametrize("json_out", [False, True])
def test_a_stop_during_benchs_import_is_said_with_its_signals_exit_code(tmp_path, sig, code, said, json_out):
    """A SIGTERM (docker stop, systemd) while `vcam bench` imported PyTorch ended it at once without a word, exit
    code 143 from the kill alone, and --json's reader got nothing, where `vcam run` and `vcam render` say the stop."""
    harness = tmp_path / "signal_in_import.py"
    harness.write_text(_SIGNAL_IN_BENCH, encoding="utf-8")
    done = subprocess.run([sys.executable, str(harness), sig, "<module>", "bench", "--model", "tiny", "--blocks", "1",
                           *(["--json"] if json_out else [])], cwd=ROOT, capture_output=True, text=True, timeout=300)
    words = f"loading stopped ({said}) before the timing began: no result"
    assert "sent" in done.stderr and done.returncode == code, done
    assert done.stderr.endswith(f"vcam: {words}\n") and "Traceback" not in done.stderr, done.stderr
    assert (json.loads(done.stdout) == {"error": words}) if json_out else done.stdout == "", done.stdout


@pytest.mark.slow  # a process of its own, with PyTorch
@pytest.mark.parametrize("json_out", [False, True])
def test_a_sigterm_during_benchs_timing_is_said_with_its_exit_code(tmp_path, json_out):
    """A SIGTERM as `vcam bench` warmed up or timed its blocks ended it at once without a word, and --json's reader
    got nothing, where a Ctrl-C there says the timing was stopped."""
    harness = tmp_path / "signal_in_timing.py"
    harness.write_text(_SIGNAL_IN_BENCH, encoding="utf-8")
    done = subprocess.run([sys.executable, str(harness), "SIGTERM", "_run_blocks", "bench", "--model", "tiny",
                           "--blocks", "1", *(["--json"] if json_out else [])], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    words = "stopped (SIGTERM) before the timing finished: no result"
    assert "sent" in done.stderr and done.returncode == 143, done
    assert done.stderr.endswith(f"vcam: {words}\n") and "Traceback" not in done.stderr, done.stderr
    assert (json.loads(done.stdout) == {"error": words}) if json_out else "frames/s" not in done.stdout, done.stdout


@pytest.mark.slow  # a process of its own, with PyTorch
@pytest.mark.parametrize("where", ["cmdline/bench.py:_live_compile", "engine/speed.py:unused_compile_mode"])
@pytest.mark.parametrize("json_out", [False, True])
def test_a_sigterm_between_benchs_import_and_its_timing_is_said_with_its_exit_code(tmp_path, where, json_out):
    """A SIGTERM as `vcam bench` read the card for --compile's default, or checked --compile-mode against it, ended
    it at once without a word, and --json's reader got nothing."""
    harness = tmp_path / "signal_before_timing.py"
    harness.write_text(_SIGNAL_IN_BENCH, encoding="utf-8")
    done = subprocess.run([sys.executable, str(harness), "SIGTERM", where, "bench", "--model", "tiny", "--blocks", "1",
                           *(["--json"] if json_out else [])], cwd=ROOT, capture_output=True, text=True, timeout=300)
    words = "stopped (SIGTERM) before the timing finished: no result"
    assert "sent" in done.stderr and done.returncode == 143, done
    assert done.stderr.endswith(f"vcam: {words}\n") and "Traceback" not in done.stderr, done.stderr
    assert (json.loads(done.stdout) == {"error": words}) if json_out else "frames/s" not in done.stdout, done.stdout


@pytest.mark.slow  # a process of its own, with PyTorch
def test_a_sigterm_during_a_tunes_candidate_is_said_with_its_exit_code(tmp_path):
    """A SIGTERM as `vcam bench --tune` warmed up a candidate ended it at once without a word."""
    harness = tmp_path / "signal_in_tune.py"
    harness.write_text(_SIGNAL_IN_BENCH, encoding="utf-8")
    done = subprocess.run([sys.executable, str(harness), "SIGTERM", "_run_blocks", "bench", "--tune", "--model",
                           "tiny", "--blocks", "1", "--warmup", "1", "--device", "cpu"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "VCAM_CACHE_DIR": str(tmp_path)})
    assert "sent" in done.stderr and done.returncode == 143, done
    assert "eager: stopped (SIGTERM) before its timing finished" in done.stdout, done.stdout
    assert "tuning was stopped (SIGTERM)" in done.stdout and "Traceback" not in done.stderr, done


def _sigterm_in_tune(tmp_path, where: str, *args: str) -> subprocess.CompletedProcess:
    """`vcam bench --tune` on the tiny model, a SIGTERM sent to it as the code at `where` (_SIGNAL_IN_BENCH) starts."""
    harness = tmp_path / "signal_in_tune.py"
    harness.write_text(_SIGNAL_IN_BENCH, encoding="utf-8")
    return subprocess.run([sys.executable, str(harness), "SIGTERM", where, "bench", "--tune", "--model", "tiny",
                           "--blocks", "1", "--warmup", "1", "--steps", "1", "--device", "cpu", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "VCAM_CACHE_DIR": str(tmp_path)})


@pytest.mark.slow  # a process of its own, with PyTorch
@pytest.mark.parametrize("json_out", [False, True])
def test_a_sigterm_as_a_tune_is_set_up_is_said_with_its_exit_code(tmp_path, json_out):
    """A SIGTERM as `vcam bench --tune` read the card, before any candidate, ended it at once without a word, and
    --json's reader got nothing."""
    done = _sigterm_in_tune(tmp_path, "bench_target", *(["--json"] if json_out else []))
    words = "stopped (SIGTERM) before any candidate ran"
    assert "sent" in done.stderr and done.returncode == 143, done
    assert done.stderr.endswith(f"vcam: {words}\n") and "Traceback" not in done.stderr, done.stderr
    assert (json.loads(done.stdout) == {"error": words, "stopped_by": "SIGTERM"}) if json_out else done.stdout == "", \
        done.stdout


@pytest.mark.slow  # a process of its own, with PyTorch
def test_a_sigterm_as_a_tune_frees_a_candidate_saves_what_was_measured(tmp_path):
    """A SIGTERM as `vcam bench --tune` freed the engine of a candidate it had timed ended it at once without a
    word, the measured candidate not saved."""
    done = _sigterm_in_tune(tmp_path, "release_engines")
    assert "sent" in done.stderr and done.returncode == 143, done
    assert "tuning was stopped (SIGTERM)" in done.stdout and "saved to" in done.stdout, done.stdout
    assert "Traceback" not in done.stderr and (tmp_path / "tuning.json").exists(), done.stderr


@pytest.mark.slow  # a process of its own, with PyTorch
@pytest.mark.parametrize("where, saved, said", [
    ("bench/tuning.py:_locked", False, "stopped (SIGTERM) before the tuning was saved"),
    ("bench/tuning.py:_write_entries", True, "stopped (SIGTERM) as the tuning was saved"),
])
def test_a_sigterm_as_a_tune_saves_is_said_and_the_file_is_whole(tmp_path, where, saved, said):
    """A SIGTERM as `vcam bench --tune` waited for the tuning file's lock or wrote the file ended it at once without
    a word: no table, and a half-written temporary file left beside the tuning file."""
    done = _sigterm_in_tune(tmp_path, where, "--json")
    assert "sent" in done.stderr and done.returncode == 143, done
    assert f"vcam: {said}" in done.stderr and "Traceback" not in done.stderr, done.stderr
    data = json.loads(done.stdout)
    assert data["saved"] is saved and data["interrupted"] is True, data
    assert (tmp_path / "tuning.json").exists() is saved
    assert not list(tmp_path.glob(".tuning-*")), list(tmp_path.iterdir())


@pytest.mark.slow  # a process of its own
def test_a_ctrl_c_as_a_command_returns_leaves_with_130_and_no_traceback(tmp_path):
    """The Ctrl-C after the command's work, as the end looks for a download under way: it was raised on, a
    traceback."""
    harness = tmp_path / "ctrl_c_at.py"
    harness.write_text(_CTRL_C_AT, encoding="utf-8")
    line = _lines_between(ROOT / "vcam" / "cli.py", "code = _main(argv)", "_leave_mid_download(code)")[-1]
    done = subprocess.run([sys.executable, str(harness), "script", "cli.py", str(line), "check", "presets/club.yaml"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "sent" in done.stderr and done.returncode == 130 and "Traceback" not in done.stderr, done.stderr


@pytest.mark.slow  # a process per line
def test_a_ctrl_c_as_the_command_line_hands_ctrl_c_to_its_exit_leaves_with_130_and_no_traceback(tmp_path):
    """A Ctrl-C on main's `finally`, before its handler that leaves at once was in place, was raised on out of main:
    a traceback after the command's work was done."""
    harness = tmp_path / "ctrl_c_at.py"
    harness.write_text(_CTRL_C_AT, encoding="utf-8")
    sent = 0
    for line in _lines_between(ROOT / "vcam" / "cli.py", "finally:", "leave_at_once_on_ctrl_c()"):
        done = subprocess.run([sys.executable, str(harness), "script", "cli.py", str(line), "check",
                               "presets/club.yaml"], cwd=ROOT, capture_output=True, text=True, timeout=120)
        if "sent" not in done.stderr:
            continue
        sent += 1
        assert done.returncode == 130 and "Traceback" not in done.stderr, (line, done.stderr)
    assert sent >= 1


def _read_lines(stream, lines: list[str], seen: threading.Event, text: str) -> None:
    for line in stream:
        lines.append(line)
        if text in line:
            seen.set()
    seen.set()  # its end: the waiter need not wait out its timeout


@pytest.mark.slow  # a process of its own, with PyTorch
@pytest.mark.parametrize("entry", [["-m", "vcam"],
                                   ["-c", "import sys; from vcam.__main__ import run; sys.exit(run())"]])
def test_a_ctrl_c_during_a_command_reaches_the_command_under_either_entry(entry):
    """Under `python -m vcam` the handler that leaves at once stayed on through the command: a Ctrl-C during
    `bench --json` left with exit code 130 and nothing on stdout, where the command says it stopped."""
    proc = subprocess.Popen([sys.executable, *entry, "bench", "--model", "tiny", "--json", "--blocks", "1000"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    warming = threading.Event()
    reader = threading.Thread(target=_read_lines, args=(proc.stderr, lines, warming, "warming up"), daemon=True)
    reader.start()
    try:
        assert warming.wait(300) and proc.poll() is None, "".join(lines)
        proc.send_signal(signal.SIGINT)
        out = proc.stdout.read()
        code = proc.wait(timeout=120)
    finally:
        proc.kill()
        proc.wait()
    reader.join(30)
    assert code == 130 and json.loads(out) == {"error": "stopped (Ctrl-C) before the timing finished: no result"}, \
        (out, "".join(lines))
    assert "Traceback" not in "".join(lines)


# Put first on PYTHONPATH, as Python imports sitecustomize at start: the model's lookup stopped by a Ctrl-C that
# lands inside code made from a string (a dataclass's methods, a namedtuple: PyTorch's and transformers' imports make
# many), as exec() runs it.
_CTRL_C_IN_EXEC = """\
import vcam.engine.configs

def pressed(model):
    exec("raise KeyboardInterrupt")

vcam.engine.configs.get_spec = pressed
"""


@pytest.mark.slow  # a process of its own
def test_a_ctrl_c_caught_inside_code_run_from_a_string_still_leaves_with_130(tmp_path):
    """Python remembers a KeyboardInterrupt that left an exec() of a string, caught or not, and `python -m` then ends
    the process by SIGINT whatever exit code the command returned: -2 where vcam said its stop and returned 130."""
    (tmp_path / "sitecustomize.py").write_text(_CTRL_C_IN_EXEC, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "vcam", "bench", "--model", "tiny", "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])})
    stopped = "loading stopped (Ctrl-C) before the timing began: no result"
    assert done.stderr == f"vcam: {stopped}\n" and json.loads(done.stdout) == {"error": stopped}, done
    assert done.returncode == 130, done


# As _CTRL_C_IN_EXEC: a second Ctrl-C as the command returns, inside code made from a string, escapes the command
_CTRL_C_ESCAPING_FROM_EXEC = """\
import vcam.cli

def pressed(argv):
    exec("raise KeyboardInterrupt")

vcam.cli._main = pressed
"""


@pytest.mark.slow  # a process of its own
def test_a_ctrl_c_escaping_the_command_from_code_run_from_a_string_leaves_with_130(tmp_path):
    """A KeyboardInterrupt raised in an exec() of a string and escaping the command, said by vcam.cli's main as exit
    130, still left Python's mark of it, and `python -m` ended the process by SIGINT: exit -2."""
    (tmp_path / "sitecustomize.py").write_text(_CTRL_C_ESCAPING_FROM_EXEC, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "vcam", "bench", "--model", "tiny"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])})
    assert done.returncode == 130, done
    assert "Traceback" not in done.stderr, done
