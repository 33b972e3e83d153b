"""What a plain install gets: every module and shipped map in the wheel, and dependency floors no lower than what
vcam's own code and its dependencies need (each floor below was found by running vcam at it or reading the
release that changed the call)."""
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]

# The lowest floor each dependency may have, and why: a floor set lower promises an install that breaks.
FLOORS = {
    # vcam/engine/attention.py calls the cuDNN kernel with (attn_bias, compute_log_sumexp), 2.5's arguments
    "torch": ("2.5", "the cuDNN attention kernel's arguments"),
    "huggingface_hub": ("0.34", "diffusers 0.35 and transformers 4.56 require it"),
    "numpy": ("2", "OpenCV 4.13 requires it"),
    "av": ("18.1", "Stream.index_entries and CodecContext.field_order count a clip's frames"),
    "opencv-python-headless": ("4.13", "4.12 repeats a clip cut short's last frames; 4.11 also shows a portrait "
                                       "phone clip on its side and an animated GIF as one frame"),
    "websockets": ("17.1", "older clients say a redirect (a network's login page) as a plain HTTP 3xx"),
    "diffusers": ("0.38", "0.37's Wan VAE does more work than vcam's time estimate counts"),
    "safetensors": ("0.8", "diffusers 0.38 requires it"),
    "transformers": ("4.56", "the oldest vcam's tests pass with (it names a weight of another shape without its "
                             "shapes: vcam reads them from the files)"),
    "accelerate": ("1.1", "transformers 5 counts an older one as missing and will not load the text encoder"),
}


def _version(text: str) -> tuple[int, ...]:
    parts = [int(part) for part in re.findall(r"\d+", text)]
    while parts and parts[-1] == 0:  # 1.1 and 1.1.0 are one version
        parts.pop()
    return tuple(parts)


def declared_floors() -> dict[str, str]:
    """Every requirement's `>=` floor, by name as pyproject writes it, across the base and the extras."""
    project = PYPROJECT["project"]
    requirements = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values()
                                                  for r in extra)]
    floors = {}
    for requirement in requirements:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*>=\s*([0-9.]+)", requirement)
        assert match, f"{requirement!r} has no plain >= floor"
        floors[match.group(1)] = match.group(2)
    return floors


def package_dirs() -> dict[str, Path]:
    """Each package pyproject ships, by name, with the folder its files come from."""
    mapped = SETUPTOOLS.get("package-dir", {})
    return {name: ROOT / mapped.get(name, name.replace(".", "/")) for name in SETUPTOOLS["packages"]}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_no_floor_is_below_what_vcam_needs(name):
    floor, why = FLOORS[name]
    declared = declared_floors()[name]
    assert _version(declared) >= _version(floor), f"{name}>={declared} is below {floor}: {why}"


def test_the_accelerate_floor_is_one_the_installed_transformers_counts_as_installed():
    # pip keeps an accelerate already installed when it meets vcam's floor, so a floor below what transformers
    # checks for leaves an install that fails only at model load
    import_utils = pytest.importorskip("transformers.utils.import_utils")
    needed = getattr(import_utils, "ACCELERATE_MIN_VERSION", "0")
    declared = declared_floors()["accelerate"]
    assert _version(declared) >= _version(needed), f"accelerate>={declared}: transformers needs {needed}"


def test_every_folder_of_vcam_modules_is_a_package_the_wheel_ships():
    """A subpackage missing from pyproject's list ships without its modules: a plain install raised
    ModuleNotFoundError where the checkout ran."""
    shipped = {path.resolve() for path in package_dirs().values()}
    folders = {path.parent.resolve() for path in (ROOT / "vcam").rglob("*.py") if "__pycache__" not in path.parts}
    assert sorted(str(f.relative_to(ROOT)) for f in folders - shipped) == []


def test_every_preset_file_is_package_data():
    """presets/ ships as vcam.presets: a map or show under it that no package's data pattern takes is missing
    from a plain install (`--midi-map NAME` said not found)."""
    data = SETUPTOOLS["package-data"]
    taken = set()
    for name, folder in package_dirs().items():
        for pattern in data.get(name, []):
            taken |= {path.resolve() for path in folder.glob(pattern) if path.is_file()}
    presets = {path.resolve() for path in (ROOT / "presets").rglob("*") if path.is_file()}
    assert presets, "presets/ holds no file"
    assert sorted(str(p.relative_to(ROOT)) for p in presets - taken) == []


@pytest.mark.slow
def test_the_built_wheel_holds_every_module_and_preset(tmp_path):
    """The wheel pip builds from this checkout, read back: what the two tests above check of pyproject, checked
    of the file a user installs. Built from a copy: setuptools leaves build/ in the tree it builds, whose stale
    files a later build would ship. With pip's own build isolation, as a user's install builds: the setuptools
    pyproject asks for comes from PyPI (a fresh venv on Python 3.12 has none, and 3.11's is older than 77); pip's
    network timeout and the run's own keep a stalled index from holding the run."""
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv*", "build", "*.egg-info", "tests",
                                                                "__pycache__"))
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "--disable-pip-version-check",
               "--timeout", "30", "--retries", "2", "-w", str(tmp_path), str(source)]
    try:
        build = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        pytest.fail("pip wheel ran past 300 s: PyPI, from which it takes setuptools, is unreachable or stalled")
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp_path.glob("vcam-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "vcam").rglob("*.py") if "__pycache__" not in p.parts}
    presets = {"vcam/" + str(p.relative_to(ROOT)) for p in (ROOT / "presets").rglob("*") if p.is_file()}
    assert presets and sorted((modules | presets) - names) == []
