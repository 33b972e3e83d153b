"""Finding and fetching model weights in the Hugging Face hub's cache: what is there already (no network then),
the room a download needs, said before it starts, its progress lines, and the hub's refusals said with their fix.
"""
from __future__ import annotations

import fnmatch
import importlib
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from vcam import filelock
from vcam.engine.configs import KREA_REPO, WAN_REPO, ModelSpec
from vcam.engine.weight_files import WeightPaths, check_files, layout
from vcam.errors import WeightsError
from vcam.homefolder import expand_home
from vcam.progress import ByteProgress
from vcam.terminal import row_cleared, stopped_line_start
from vcam.words import few, ps_word, shell_word, size_text


# The Krea checkpoint (28.6 GB), Wan's text encoder (11.4 GB in bf16, 22.7 GB if its shards are float32 as one
# report says), tokenizer and VAE: the larger figure, since it sizes a disk.
HUB_DOWNLOAD_GB = 52
# Room kept free beyond the files themselves (the hub's lock and ref files, the file system's own reserve).
DISK_MARGIN = 10**9
ENOSPC, EACCES, EROFS = 28, 13, 30
# Where rented GPU machines (RunPod, Vast.ai, Lambda, …) mount their large volume beside a small root disk.
VOLUMES = ("/workspace", "/data", "/mnt/data", "/home/workspace")
MOVE_CACHE = ("point HF_HOME at a larger, writable volume before running (on a rented GPU machine often the "
              "/workspace volume: `export HF_HOME=/workspace/hf`), or download the files elsewhere and ")
# How a fix says to use the files from a folder instead, as the command that asks the hub takes one: `vcam run`,
# serve and render take --weights (bench builds random weights); `vcam download` takes none, so it names the
# command that does.
FOLDER_FIX = "pass the files' folder with --weights DIR"
DOWNLOAD_FOLDER_FIX = "give the files' folder to `vcam run --weights DIR` instead (serve and render take it too)"


# The variables that place the hub cache, in the order huggingface_hub's constants read them: HF_HUB_CACHE, its
# older name, then HF_HOME (its hub folder), then XDG_CACHE_HOME (its huggingface/hub folder); none set, HOME's.
CACHE_VARIABLES = ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME")


def _deciding_variable() -> str:
    """The variable that decides the hub cache folder: the first of CACHE_VARIABLES set, even set empty (huggingface_hub
    takes the empty path as it is, for the current folder), else HOME."""
    return next((name for name in CACHE_VARIABLES if name in os.environ), "HOME")


def _cache_variable() -> str | None:
    """The variable that places the hub cache over HF_HOME, where one is set: HF_HUB_CACHE, or the older
    HUGGINGFACE_HUB_CACHE that huggingface_hub still reads (set in many older docker images)."""
    # set but empty, they still decide the cache (_deciding_variable); only a set value is named in a fix
    return next((name for name in CACHE_VARIABLES[:2] if os.environ.get(name)), None)


def _move_cache(folder_fix: str) -> str:
    # where HF_HUB_CACHE (or its older name) is set, it outranks HF_HOME: moving HF_HOME would change nothing
    name = _cache_variable()
    if name:
        return MOVE_CACHE.replace("point HF_HOME", f"point {name} (set here, it outranks HF_HOME)") + folder_fix
    return MOVE_CACHE + folder_fix


def _writable_fix() -> str:
    """The variable to point at a writable cache: the one set that outranks HF_HOME, where one is (pointing HF_HOME
    elsewhere would change nothing)."""
    name = _cache_variable()
    return f"{name} (set here, it outranks HF_HOME)" if name else "HF_HUB_CACHE (or HF_HOME)"


def from_hub(spec: ModelSpec, cache_dir: str | None = None, out: TextIO | None = None,
             folder_fix: str = FOLDER_FIX) -> WeightPaths:
    """Finds the files of `spec` in the hub cache, or downloads what is missing, with a progress line on `out`
    (stderr; a bar where it is a terminal, a line every few seconds where it is a log). A complete cache is used
    without asking the hub anything, so a show starts with no network and from a read-only cache. Before a
    download, the hub is asked the sizes of what is missing and a disk too small for them is said then, not
    tens of GB later. A download cut short keeps its finished files; its partial ones (kept apart as `.incomplete`,
    never taken for whole ones) are resumed by huggingface_hub 1.x and older, started afresh by 2.x. `folder_fix`:
    how a fix says to use a folder of the files instead, as the command that runs takes one."""
    cached = _in_cache(spec, cache_dir)
    out = out if out is not None else sys.stderr
    if cached is not None:
        where = _hub_cache(cache_dir)
        _say_stale(_partials(_repo_folder(where, repo) / "blobs" for repo, _ in spec.hub_files), where, out,
                   whole=True)
        return cached
    where = _hub_cache(cache_dir)
    if cache_dir is None:  # a folder given here is no variable's
        _check_set(where)
        _check_ends(where, out)
        _say_relative(where, out)
        _check_beside(spec, where, out)
    _check_folder(where)
    _check_alone(spec, where)
    plans = {}
    for repo, patterns in spec.hub_files:
        with _still_waiting(repo, out):
            plans[repo] = _plan(repo, patterns, cache_dir, where, folder_fix, out)
    _check_room(plans, where, folder_fix)  # too little room: the partial files never resumed are named there
    _say_stale([path for plan in plans.values() for path in plan.left], where, out)
    roots = {repo: _fetch(repo, patterns, cache_dir, where, plans[repo], out, folder_fix)
             for repo, patterns in spec.hub_files}
    paths = layout(roots[KREA_REPO], roots[WAN_REPO])
    online = " with HF_HUB_OFFLINE unset and a network connection" if _offline() else ""
    check_files(paths, "delete the files named, in the hub cache both sides of each `->`, and run `vcam download` "
                       f"again{online}")
    return paths


# How long the hub may stay silent before a line says vcam is still waiting for it: huggingface_hub asks it about a
# repo with no time limit, and a network that swallows packets (a firewall, a stalled proxy) left the terminal blank.
QUIET_S = 15.0


@contextmanager
def _still_waiting(repo: str, out: TextIO) -> Iterator[None]:
    """A line on `out` every QUIET_S seconds the hub has not answered about `repo`, while inside."""
    every_s = QUIET_S
    stop = threading.Event()

    def note() -> None:
        waited = 0.0
        while not stop.wait(every_s):
            waited += every_s
            try:
                print(f"{row_cleared(out)}vcam: the Hugging Face hub has not answered about {repo} in {waited:.0f} "
                      "s; still waiting (Ctrl-C stops: check the network, and behind a proxy set HTTPS_PROXY)\n",
                      end="", file=out, flush=True)
            except (OSError, ValueError):  # the terminal gone: the wait goes on without its note
                return

    thread = threading.Thread(target=note, name="vcam-hub-wait", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def cached(spec: ModelSpec, cache_dir: str | None = None) -> WeightPaths | None:
    """The weights of `spec` where the hub cache holds every file whole, else None; the hub is asked nothing."""
    return _in_cache(spec, cache_dir)


def _in_cache(spec: ModelSpec, cache_dir: str | None) -> WeightPaths | None:
    """The weights as the hub cache holds them, if every file is there and whole."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    _hub_cache(cache_dir)  # a cache in a home folder there is none of is said, before the hub's own RuntimeError
    try:
        roots = {repo: Path(snapshot_download(repo, allow_patterns=list(patterns), cache_dir=cache_dir,
                                              local_files_only=True)) for repo, patterns in spec.hub_files}
        paths = layout(roots[KREA_REPO], roots[WAN_REPO])
        check_files(paths)
    except (LocalEntryNotFoundError, WeightsError):
        return None
    return paths


def _hub_cache(cache_dir: str | None) -> Path:
    from huggingface_hub import constants

    where = expand_home(cache_dir or constants.HF_HUB_CACHE)
    if where is None:
        raise WeightsError(f"the Hugging Face cache is in the home folder ({cache_dir or constants.HF_HUB_CACHE}), "
                           "and this user has none (HOME is not set, and the system knows none)",
                           "set HF_HOME to a folder with room for the weights (40 to 52 GB), e.g. export "
                           f"HF_HOME=/workspace/hf, or {FOLDER_FIX}")
    return where


@dataclass(frozen=True)
class DownloadPlan:
    """What a download of one repo will fetch, as the hub's dry run tells; `sizes` None where it cannot (a
    huggingface_hub older than 1.0)."""
    sizes: dict[str, int] | None
    partial: int = 0  # bytes of partial files a cut-short download left, which it resumes from (hub 1.x and older)
    stale: int = 0  # bytes of partial files it will not resume (another revision; huggingface_hub 2.x's own names)
    left: tuple[Path, ...] = ()  # those files

    @property
    def total(self) -> int:
        return sum(self.sizes.values()) if self.sizes else 0


def _plan(repo: str, patterns: tuple[str, ...], cache_dir: str | None, where: Path, folder_fix: str,
          out: TextIO) -> DownloadPlan:
    from huggingface_hub import snapshot_download

    if _offline():  # the download answers from the cache alone, and says what it lacks
        return DownloadPlan(None)
    try:
        with _ref_warning_off():
            files = snapshot_download(repo, allow_patterns=list(patterns), cache_dir=cache_dir, dry_run=True,
                                      tqdm_class=_silent_bars())
    except TypeError:  # no dry run in this huggingface_hub: the download itself will tell
        return DownloadPlan(None)
    except _dry_run_error() as e:
        if _http_error(e.__cause__):  # the hub answered, with a refusal (401, gated, 429): said now
            raise _said(repo, e.__cause__, where, folder_fix) from None
        return DownloadPlan(None)  # the hub unreachable: the download says so, or completes from the cache
    except Exception as e:
        raise _said(repo, e, where, folder_fix) from None
    held = [f for f in files if not f.will_download and getattr(f, "local_path", None)]
    said = _paths_sizes(repo, [f.filename for f in held], getattr(held[0], "commit_hash", None)) if held else None
    cut = [f for f in held if said and _cut_short(repo, f, said.get(f.filename), where, out)]
    pending = [f for f in files if f.will_download] + cut
    sizes = {f.filename: (said[f.filename] if f in cut else f.file_size) or 0 for f in pending}
    return DownloadPlan(sizes, *_partial_bytes(repo, pending, _repo_folder(where, repo) / "blobs"))


def _paths_sizes(repo: str, names: list[str], revision: str | None) -> dict[str, int] | None:
    """The size the hub gives each of `names` at `revision`, as it says within PATHS_INFO_S; None where it does not
    (asked through _asked_within)."""
    from huggingface_hub import HfApi

    def ask() -> dict[str, int]:
        return {i.path: size for i in HfApi().get_paths_info(repo, names, revision=revision) if (size := _file_size(i))}

    return _asked_within(ask, "vcam-hub-sizes")  # where the hub cannot say, the files are taken as they are


def _file_size(info) -> int | None:
    """The size of a file as the hub's paths info gives it: its LFS object's where it has one (a hub mirror or proxy
    may give the pointer's size, 135 bytes, as the file's), else its own."""
    lfs = getattr(info, "lfs", None)
    return getattr(lfs, "size", None) or getattr(info, "size", None)


def _cut_short(repo: str, info, size: int | None, where: Path, out: TextIO) -> bool:
    """Whether a file the hub cache holds is smaller than the `size` the hub gives it (a copy cut short by a full
    disk, a crash, a tool that copied the cache): its snapshot link and the repo's blob it links to are removed where
    they can be, so that the download fetches it again. huggingface_hub takes any file there for a whole one (its dry
    run says the size on disk), and the download that said "fetching …" ended telling the user to delete it by hand.
    A file of the hub's size or larger is never touched: a size said too small (a mirror's pointer size) cost a
    whole checkpoint."""
    local = getattr(info, "local_path", None)
    if not size or not local:
        return False
    link = Path(local)
    try:
        held = link.stat().st_size
    except OSError:  # not there after all: the download fetches it
        return False
    if held >= size:
        return False
    removed, kept = [], []
    for path in (link, *_repo_blob(link, _repo_folder(where, repo) / "blobs")):
        try:
            path.unlink()
            removed.append(path)
        except OSError:  # a read-only cache: _check_room says it lacks the file
            kept.append(path)
    done = ("removed, to be fetched again" if removed and not kept else
            f"it cannot be removed here (delete {' and '.join(str(path) for path in kept)}, then run "
            "`vcam download` again)")
    print(f"{row_cleared(out)}vcam: {info.filename} ({repo}) in the hub cache holds {size_text(held)} of its "
          f"{size_text(size)} (cut short): {done}\n", end="", file=out, flush=True)
    return True


def _repo_blob(link: Path, blobs: Path) -> tuple[Path, ...]:
    """The entry in the repo's `blobs` folder that a snapshot `link` points at, itself, not followed further: under
    huggingface_hub 2.4 it is a link into the store of blobs all repos share (`<cache>/blobs/ab/<xet hash>`), which
    another repo may link to and which huggingface_hub replaces itself where it finds it cut short. Removing only the
    snapshot link left the repo's link, and the download linked the same cut-short file again, fetching nothing. ()
    where the link is a file itself (a cache without links) or points elsewhere."""
    try:
        target = Path(os.path.normpath(link.parent / os.readlink(link)))
        if os.path.samefile(target.parent, blobs):
            return (target,)
    except (OSError, ValueError):
        pass
    return ()


# What huggingface_hub logs where it cannot write a repo's ref (a read-only cache): _check_room says that in one line.
REF_WARNING = "Ignored error while writing commit hash"


@contextmanager
def _ref_warning_off() -> Iterator[None]:
    """huggingface_hub's warning of a ref it could not write, off for one dry run: on a read-only cache it came as a
    line per repo before vcam's own error, which says the cache is read-only; a download that does write to the
    cache logs it again where it still fails."""
    import logging

    def keep(record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(REF_WARNING)

    logger = logging.getLogger("huggingface_hub._snapshot_download")
    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)


def _partial_bytes(repo: str, pending: list, blobs: Path) -> tuple[int, int, tuple[Path, ...]]:
    """Bytes of the partial files the download will resume, and of those it will not, and those files. Resumed: only
    under huggingface_hub 1.x and older, and only BLOB.incomplete ones of the blobs it is about to fetch. A partial
    file of another revision, or one huggingface_hub 2.x named for a process killed mid-download, is left aside, as is
    every one under 2.x (it starts each file afresh under a name of its own): counting it would pass a disk that fills
    up tens of GB later, and it only takes room."""
    try:
        partial = {f: f.stat().st_size for f in blobs.glob("*.incomplete")}
    except OSError:
        return 0, 0, ()
    everything = sum(partial.values())
    resumable = {f: size for f, size in partial.items() if _resumed(f.name)} if _hub_resumes() else {}
    # asked only where a file may be resumed: a stale partial file (a killed download's, another download's in the
    # same cache) had every download ask, and a hub that never answered held it for ever
    if not resumable or not pending:
        return 0, everything, tuple(partial)
    sizes = _blob_sizes(repo, pending)
    if sizes is None:  # the hub could not say, or not in time: the files are taken as the download's, as before
        resumed = resumable
    else:
        resumed = {f: min(size, sizes[blob]) for f, size in resumable.items()
                   if (blob := f.name.removesuffix(".incomplete")) in sizes}
    done = sum(resumed.values())
    return done, everything - done, tuple(f for f in partial if f not in resumed)


def _partials(folders: Iterable[Path]) -> list[Path]:
    """The partial files in `folders`, but for BLOB.incomplete ones where this huggingface_hub (1.x) goes on from
    them."""
    found = []
    for folder in folders:
        try:
            found += [f for f in folder.glob("*.incomplete") if not (_hub_resumes() and _resumed(f.name))]
        except OSError:
            continue
    return found


# How long a partial file must have gone unwritten to be named as one a download cut short left: a download running
# now, wherever it runs (another container, another machine sharing the cache), writes its own every few seconds.
STALE_AFTER_S = 600.0


def _say_stale(partials: list[Path], where: Path, out: TextIO, whole: bool = False) -> None:
    """Names the partial files this download will not go on from that nothing has written for STALE_AFTER_S, with the
    command that deletes them: they stayed, tens of GB, until a disk too small named them. Never deleted here: which
    process writes a file cannot be told from another container (its own processes), another machine (a lock on a
    shared file system may be no lock at all), nor an older huggingface_hub sharing the cache (it goes on from
    BLOB.incomplete). `whole`: the cache holds every file, and nothing is downloaded."""
    said = _stale_said(partials, where, whole)
    if said:
        try:
            print(f"{row_cleared(out)}vcam: {said}\n", end="", file=out, flush=True)
        except (OSError, ValueError):  # the terminal gone: a note only
            pass


# How many partial files a line names one by one: a download killed again and again left dozens, in one line
# too long to read or to copy.
NAMED_PARTIALS = 3


def _stale_said(partials: list[Path], where: Path, whole: bool = False) -> str:
    """Those of `partials` nothing has written for STALE_AFTER_S, said with their size, how long since they were
    written and the command that deletes them; "" where there are none."""
    now = time.time()
    found = []
    for path in partials:
        try:
            stat = path.stat()
        except OSError:  # gone since the listing
            continue
        if now - stat.st_mtime >= STALE_AFTER_S:
            found.append((path, stat.st_size, now - stat.st_mtime))
    if not found:
        return ""
    whose = "another download's (running in another container, or on another machine sharing this cache)"
    if any(_resumed(path.name) for path, _, _ in found):
        whose += ", or an older huggingface_hub's (1.x and 0.x go on from BLOB.incomplete)"
    done = ("are not needed here (the cache holds every file whole)" if whole else
            "are not gone on from by this download")
    return (f"{size_text(sum(size for _, size, _ in found))} of partial files in the hub cache {where}, none written "
            f"for {_while(min(age for _, _, age in found))}, {done}; they may be {whose}: where none is, delete them "
            f"{_delete_said(sorted(path for path, _, _ in found), now)}")


# cmd.exe's longest command line: a `del` naming many long paths past it was cut off
CMD_LINE_MAX = 8191


def _delete_said(paths: list[Path], now: float, windows: bool = os.name == "nt") -> str:
    """The command that deletes `paths` (partial files nothing wrote for STALE_AFTER_S), in parentheses: each named
    where they are few; where they are many, the first few and a `find` over their folders that deletes no other
    file there (one written since, one an older huggingface_hub goes on from), else each named all the same."""
    if windows:
        return _delete_said_windows(paths, now)
    words = [shell_word(str(path)) for path in paths]
    by_age = _by_age(paths, now)
    if by_age is not None:
        folders, minutes = by_age
        # a relative folder starting with "-" would be taken for one of find's options
        named = " ".join(shell_word(str(folder) if folder.is_absolute() else f"./{folder}") for folder in folders)
        find = f"find {named} -maxdepth 1 -name '*.incomplete' -mmin +{minutes} -delete"
        return f"({few(words, NAMED_PARTIALS)}: `{find}`)"
    return f"(`rm -- {' '.join(words)}`)"


def _by_age(paths: list[Path], now: float) -> tuple[list[Path], int] | None:
    """Where `paths` are many, their folders and the minutes unwritten that pick out them alone among the folders'
    partial files; None where they are few, or where the age would pick another file too (_others_old)."""
    if len(paths) <= NAMED_PARTIALS:
        return None
    folders = sorted({path.parent for path in paths})
    minutes = int(STALE_AFTER_S // 60)
    if minutes * 60 != STALE_AFTER_S or _others_old(folders, set(paths), now):
        return None
    return folders, minutes


def _delete_said_windows(paths: list[Path], now: float) -> str:
    """_delete_said on Windows, a line for each shell: PowerShell's `del` is Remove-Item, which takes one path bare,
    and `cmd /c del` run from PowerShell lost the quotes around a path with `&` or `^` in it, where cmd split it.
    Many files are picked in PowerShell by their folders and age, as `find` does; cmd's line names each file, and is
    left out past cmd's longest line or where a path holds a `%`, which cmd expands even inside quotes."""
    by_age = _by_age(paths, now)
    if by_age is not None:
        folders, minutes = by_age
        shell = (f"Get-ChildItem -LiteralPath {', '.join(ps_word(str(folder)) for folder in folders)} -File -Filter "
                 f"*.incomplete | Where-Object LastWriteTime -lt (Get-Date).AddMinutes(-{minutes}) | Remove-Item")
        named = f"{few([str(path) for path in paths], NAMED_PARTIALS)}: "
    else:
        shell = f"Remove-Item -LiteralPath {', '.join(ps_word(str(path)) for path in paths)}"
        named = ""
    cmd = "del " + " ".join(f'"{path}"' for path in paths)
    if len(cmd) > CMD_LINE_MAX or any("%" in str(path) for path in paths):
        return f"({named}in PowerShell: `{shell}`)"
    return f"({named}in PowerShell: `{shell}`; in cmd: `{cmd}`)"


def _others_old(folders: list[Path], paths: set[Path], now: float) -> bool:
    """Whether `folders` hold a partial file not in `paths` that a `find -mmin` may take for one of them: one within a
    minute of STALE_AFTER_S unwritten, or one this huggingface_hub (1.x) goes on from, which a killed download leaves
    to age; True where a folder cannot be read."""
    resumes = _hub_resumes()
    try:
        return any(f not in paths and (now - f.stat().st_mtime >= STALE_AFTER_S - 60 or resumes and _resumed(f.name))
                   for folder in folders for f in folder.glob("*.incomplete"))
    except OSError:
        return True


def _young_said(partials: list[Path], where: Path) -> str:
    """The bytes of `partials` written within STALE_AFTER_S, which may be a download's running now, said as such
    (never as files to delete); "" where there are none."""
    now, size = time.time(), 0
    for path in partials:
        try:
            stat = path.stat()
        except OSError:  # gone since the listing
            continue
        if now - stat.st_mtime < STALE_AFTER_S:
            size += stat.st_size
    if not size:
        return ""
    return (f"{size_text(size)} of partial files in the hub cache {where} were written within the last "
            f"{_while(STALE_AFTER_S)}, maybe by a download running now (in another container, or on another machine "
            "sharing this cache)")


def _while(seconds: float) -> str:
    """12 min, 3 h, 2 days: how long since a file was written."""
    if seconds < 2 * 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} days"


def _hub_resumes() -> bool:
    """Whether this huggingface_hub goes on from a partial file a download left (1.x and older do; 2.x writes each
    transfer to a file of its own and never reads one back)."""
    import huggingface_hub

    try:
        return int(huggingface_hub.__version__.split(".")[0]) < 2
    except (AttributeError, ValueError):  # a version not told: taken as new, which asks nothing and counts nothing
        return False


# How long the hub may take to say which blob each file is: huggingface_hub sets no time limit on the question.
PATHS_INFO_S = 20.0


def _blob_sizes(repo: str, pending: list) -> dict[str, int] | None:
    """The size of each blob the download fetches (named by its LFS sha256, or its git hash for a small file), as the
    hub says within PATHS_INFO_S; None where it does not (asked through _asked_within)."""
    from huggingface_hub import HfApi

    def ask() -> dict[str, int]:
        infos = HfApi().get_paths_info(repo, [f.filename for f in pending], revision=pending[0].commit_hash)
        return {(i.lfs.sha256 if getattr(i, "lfs", None) else i.blob_id): i.size for i in infos
                if hasattr(i, "blob_id")}

    return _asked_within(ask, "vcam-hub-blobs")  # where the hub cannot say, the caller goes on without


def _asked_within(ask: Callable[[], dict[str, int]], name: str) -> dict[str, int] | None:
    """What `ask` answers within PATHS_INFO_S, None where it fails or is still waiting then: it runs on a daemon thread
    named `name` that is left behind when the hub keeps silent, as the question itself cannot be cut short."""
    said: dict[str, dict[str, int]] = {}

    def run() -> None:
        try:
            said["sizes"] = ask()
        except Exception:  # noqa: BLE001 - the hub could not say
            pass

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    thread.join(PATHS_INFO_S)
    return said.get("sizes")


def _repo_folder(where: Path, repo: str) -> Path:
    return where / ("models--" + repo.replace("/", "--"))


def _dry_run_error() -> tuple[type[BaseException], ...]:
    try:
        from huggingface_hub.errors import DryRunError
    except ImportError:
        return ()
    return (DryRunError,)


def _existing(path: Path) -> Path:
    """`path` or the nearest folder above it that exists (the cache is made by the download)."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _free_bytes(path: Path) -> int:
    return shutil.disk_usage(_existing(path)).free


def _writable(path: Path) -> bool:
    return os.access(_existing(path), os.W_OK)


def _say_relative(where: Path, out: TextIO) -> None:
    """Says where a hub cache given by a relative path (HF_HOME=hf, HF_HUB_CACHE=models, HOME=.) really is, before a
    download: it is found from the folder vcam starts in, so a start from another folder downloaded tens of GB of
    weights again, there, with no word of where. A variable set but empty is _check_set's to say."""
    if where.is_absolute():
        return
    name = _deciding_variable()
    value = os.environ.get(name, "").strip()
    if name != "HOME" and not value:
        return
    what = (f"{name}={value} is a relative path" if "$" not in value else
            f"{name}={value} holds a $ variable left as written, read as a relative path")
    told = "HF_HOME" if name == "HOME" else name  # the home folder is not to be moved for a cache
    print(f"{row_cleared(out)}vcam: the hub cache is {where.absolute()}: {what}, found from the folder vcam starts "
          f"in (started elsewhere, the weights are looked for there); set {told} to an absolute path to keep one "
          "cache\n", end="", file=out, flush=True)


def _check_set(where: Path) -> None:
    """Says a cache variable set to nothing (`-e HF_HUB_CACHE=` in docker, a compose file's unset variable) before
    anything is fetched: huggingface_hub takes the empty path for the current folder, and the download (tens of GB)
    would land there, beside whatever the user runs vcam from."""
    name = _deciding_variable()  # an empty one below it changes nothing
    if name != "HOME" and not os.environ[name].strip() and not where.is_absolute():
        raise WeightsError(f"{name} is set but empty, so the hub cache would be {where.absolute()} (in the "
                           "current folder)", f"unset {name} (the default cache is ~/.cache/huggingface/hub) or "
                           "set it to a folder, then run again")


# How a line says the blank a cache variable ends with: a carriage return comes from an env file with Windows line ends.
BLANKS = {"\r": "a carriage return", "\n": "a line break", "\t": "a tab"}


def _check_ends(where: Path, out: TextIO) -> None:
    """Says a cache variable that begins or ends with a blank (an env file saved with Windows line ends, as docker
    --env-file reads it; a value pasted with a space) before a download: huggingface_hub takes it as written, and the
    weights went, tens of GB again, into a folder of that name beside the one meant. Refused unless a folder named
    with the blank is there already: such a folder (a download begun there, on purpose or not) is where its files
    are, and only noted on `out`; where there is none, the blank is a slip."""
    name = _deciding_variable()
    value = os.environ.get(name, "") if name != "HOME" else ""
    bare = value.strip()
    if not bare or bare == value:
        return
    blank = value[-1] if value[-1] != bare[-1] else value[0]
    where_said = "ends" if value[-1] != bare[-1] else "begins"
    said = f"{name}={value!r} {where_said} with {BLANKS.get(blank, 'a space')}"
    if Path(value).exists():
        print(f"{row_cleared(out)}vcam: {said}; the hub cache is {str(where)!r}, named with it\n", end="", file=out,
              flush=True)
        return
    crlf = " (in an env file: save it with Unix line ends)" if blank == "\r" else ""
    raise WeightsError(f"{said}, which would name a folder of its own",
                       f"set it without (`export {name}={shell_word(bare)}`){crlf}, then run again")


def _check_beside(spec: ModelSpec, where: Path, out: TextIO) -> None:
    """Says a cache variable one level off the hub cache that holds the weights (HF_HOME set to the hub cache itself,
    HF_HUB_CACHE to HF_HOME's folder, XDG_CACHE_HOME to its huggingface/ folder) before a download: the weights there
    were downloaded again, tens of GB, into a folder of their own, and a volume sized for one copy filled. A cache
    there with the model's folders but not every file whole (a download cancelled, a cache kept apart on purpose) is
    only noted on `out`: refusing would leave no way to download at all."""
    name = _deciding_variable()
    if name == "HOME" or any(_repo_folder(where, repo).is_dir() for repo, _ in spec.hub_files):
        return
    for cache in (where.parent, where.parent.parent, where.parent.parent / "hub", where / "hub"):
        if cache == where or not any((_repo_folder(cache, repo) / "snapshots").is_dir() for repo, _ in spec.hub_files):
            continue
        if _in_cache(spec, str(cache)) is None:
            print(f"{row_cleared(out)}vcam: {cache.absolute()} holds part of the weights, not all; downloading into "
                  f"the hub cache {where}\n", end="", file=out, flush=True)
            return
        # whole paths: a relative variable's "." or ".." would name another folder from wherever vcam starts next
        where, cache = where.absolute(), cache.absolute()
        raise WeightsError(f"the hub cache is {where} ({name}={os.environ[name]}), which lacks the weights; "
                           f"{cache} is a hub cache that holds them",
                           f"`export HF_HUB_CACHE={shell_word(str(cache))}` and run again (HF_HUB_CACHE names the "
                           "folder that holds the models--… folders, HF_HOME the one above it); or, to download "
                           f"afresh into {where}, move {cache}'s models--… folders out of the way")


def _check_folder(where: Path) -> None:
    """Says a hub cache that cannot be a folder (HF_HOME or HF_HUB_CACHE naming a file, or a file on its path)
    before the hub is asked anything: the download would fail with "Not a directory", said as a network failure."""
    blocker = _existing(where)
    if blocker.is_dir():
        return
    name = _cache_variable() or "HF_HOME"
    folder = "/workspace/hf" if name == "HF_HOME" else "/workspace/hf/hub"
    # a file the variable's own path names or passes through is one the user typed (HF_HUB_CACHE=/etc/passwd): it
    # is no stray to move, as one left where huggingface_hub puts its folder is
    typed = _deciding_variable()
    value = Path(os.path.abspath(os.path.expanduser(os.environ.get(typed, ""))))
    # both whole: a relative value (HF_HUB_CACHE=passwd, run from /etc) names a relative blocker
    whole = Path(os.path.abspath(blocker))
    move = "" if typed != "HOME" and (whole == value or whole in value.parents) else \
        f", or move the file {blocker} out of the way"
    raise WeightsError(f"the hub cache {where} cannot be a folder: {blocker} is a file",
                       f"point {name} at a folder (`export {name}={folder}`, say){move}, then run again")


def _check_alone(spec: ModelSpec, where: Path) -> None:
    """Says another download of the model's files into the same cache (a second `vcam download`, `hf download`, a
    show fetching them at its first start) before this one starts: it waited with no word on huggingface_hub's lock
    of each file the other was fetching, or its disk check took the other's growing files for ones cut short and
    refused, telling to delete them."""
    for repo, _ in spec.hub_files:
        if _locked(where / ".locks" / _repo_folder(where, repo).name):
            raise WeightsError(f"another download of {repo} into the hub cache {where} is running now (a second "
                               "`vcam download`, an `hf download`, or a show fetching the weights at its first start)",
                               "let it finish, then run again: what it fetched is in the cache and is not fetched "
                               "twice; or stop it first (Ctrl-C where it runs)")


def _locked(locks: Path) -> bool:
    """Whether a process holds one of the lock files huggingface_hub takes in `locks` while it fetches a file: held
    only while it runs (the system drops a lock with its holder), where a lock file itself is left behind. Looked
    at with a shared lock, which two vcams starting at once do not refuse each other."""
    try:
        files = list(locks.glob("*.lock"))
    except OSError:
        return False
    return any(filelock.written_now(str(file)) for file in files)


def _check_room(plans: dict[str, DownloadPlan], where: Path, folder_fix: str = FOLDER_FIX) -> None:
    """Says a read-only cache, or a disk too small for what is left to download, before anything is fetched."""
    missing = [f"{repo}: {name}" for repo, plan in plans.items() for name in (plan.sizes or {})]
    if missing and not _writable(where):
        raise WeightsError(f"the hub cache {where} is read-only and lacks {len(missing)} of the model's files "
                           f"({few(missing, 3)})", "download them into it from a machine that can write it (`vcam "
                           f"download`), or point {_writable_fix()} at a writable folder")
    xet = _xet_cache() if missing else None  # nothing to download: no word of a Xet cache that goes unused
    if missing and xet is not None and not _writable(xet):
        raise WeightsError(f"huggingface_hub's Xet cache {xet} is read-only: its downloads of the model's files "
                           "start by making their working folders there",
                           "point HF_XET_CACHE at a writable folder (`export HF_XET_CACHE=/workspace/hf/xet`, say), "
                           "or download without Xet (`export HF_HUB_DISABLE_XET=1`), then run again")
    for place, need in _needs_by_disk(plans, where).items():
        free = _free_bytes(place)
        if free < need + DISK_MARGIN:
            # free between the need and the margin: "need 51.6 GB, 52.0 GB free" alone reads as no reason at all
            spare = f", which leaves less than the {size_text(DISK_MARGIN)} kept spare" if free >= need else ""
            raise WeightsError(f"the weights need {size_text(need)} more in {place}, and its disk has "
                               f"{size_text(free)} free{spare}",
                               _stale_fix(plans, where)
                               + _room_fix(_roomy_volume(need + DISK_MARGIN, place), folder_fix))


def _xet_cache() -> Path | None:
    """The folder hf_xet works in, where huggingface_hub downloads the hub's Xet-stored files with it; None where
    it does not (hf_xet missing, HF_HUB_DISABLE_XET set, a huggingface_hub without Xet). WeightsError where it is in
    a home folder this user has none of: Path's RuntimeError ended vcam with an internal error.

    Only its writability matters, not its room: the files' bytes go straight to the hub cache's blobs folder. Of
    what hf_xet writes in its own folder (HF_XET_CACHE, else $HF_HOME/xet, as huggingface_hub's constants say), the
    chunk cache is off (hf_xet 1.8's `XetConfig().get("chunk_cache.size_bytes")` is 0: it is built with xet-core's
    "no-default-cache" feature, and its download sessions take no chunk cache), the shard cache serves uploads
    only, and its logs, once a day old, are pruned to `log.dir_max_size` (250 MB). But a download from the hub
    first makes a folder for the endpoint there, and fails with a bare "I/O error" where it cannot."""
    from huggingface_hub import constants

    try:
        from huggingface_hub.utils._runtime import is_xet_available
    except ImportError:
        return None
    folder = getattr(constants, "HF_XET_CACHE", None)
    if folder is None or not is_xet_available():
        return None
    where = expand_home(folder)
    if where is None:  # HF_HUB_CACHE set, HF_HOME not: huggingface_hub put the Xet cache under a ~ there is none of
        raise WeightsError(f"huggingface_hub's Xet cache is in the home folder ({folder}), and this user has none "
                           "(HOME is not set, and the system knows none)",
                           "point HF_XET_CACHE at a writable folder (`export HF_XET_CACHE=/workspace/hf/xet`, say), "
                           "or download without Xet (`export HF_HUB_DISABLE_XET=1`), then run again")
    return where


def _needs_by_disk(plans: dict[str, DownloadPlan], where: Path) -> dict[Path, int]:
    """Bytes left to download for each disk they land on: a repo's folder in the cache may be a link to another
    volume (put there to make room), and its files' room is that volume's, not the cache's. Each disk is named by
    the cache where it is the cache's, by the repo's blobs folder otherwise."""
    needs: dict[int, tuple[Path, int]] = {}
    home = _device(where)
    for repo, plan in plans.items():
        need = max(0, plan.total - plan.partial)
        if need:
            blobs = _repo_folder(where, repo) / "blobs"
            device = _device(blobs)
            place, total = needs.get(device, (where if device == home else blobs, 0))
            needs[device] = (place, total + need)
    return dict(needs.values())


def _device(path: Path) -> int:
    return _existing(path).stat().st_dev


def _stale_fix(plans: dict[str, DownloadPlan], where: Path) -> str:
    """Deleting the partial files no download goes on from, named where there are any: room won back in place; and
    those written within STALE_AFTER_S, which take room too but may be a download's running now."""
    left = [path for plan in plans.values() for path in plan.left]
    said = [text for text in (_stale_said(left, where), _young_said(left, where)) if text]
    return f"{'; '.join(said)}; if that is not room enough, " if said else ""


def _room_fix(roomy: Path | None, folder_fix: str) -> str:
    move = _move_cache(folder_fix)
    if roomy is None:
        return move
    if name := _cache_variable():
        return f"{roomy} has room: `export {name}={roomy / 'hf' / 'hub'}` and run again; or {move}"
    return f"{roomy} has room: `export HF_HOME={roomy / 'hf'}` and run again; or {move}"


def _roomy_volume(need: int, where: Path) -> Path | None:
    """A writable volume of those rented GPU machines mount with room for `need` bytes, not the disk of `where`."""
    for volume in map(Path, VOLUMES):
        try:
            if (volume.is_dir() and _writable(volume) and _free_bytes(volume) >= need
                    and volume.stat().st_dev != _existing(where).stat().st_dev):
                return volume
        except OSError:
            continue
    return None


def _missing(root: Path, patterns: tuple[str, ...]) -> list[str]:
    files = [str(f.relative_to(root)) for f in root.rglob("*") if f.is_file()]
    return [p for p in patterns if not any(fnmatch.fnmatch(f, p) for f in files)]


def _fetch(repo: str, patterns: tuple[str, ...], cache_dir: str | None, where: Path, plan: DownloadPlan,
           out: TextIO, folder_fix: str) -> Path:
    from huggingface_hub import snapshot_download

    bars, stop, progress = {}, None, None
    # every file here, as the dry run found, or offline, where nothing can come: "fetching …" then "0 bytes" read as
    # a fault, or as a download under way
    whole = plan.sizes == {} or _offline()
    if whole:
        bars = {"tqdm_class": _silent_bars()}
    else:
        size = f", {size_text(plan.total)}" if plan.total else ""  # as the progress line says its total
        print(f"{row_cleared(out)}vcam: fetching {repo} ({', '.join(patterns)}{size}) into {where} …\n", end="",
              file=out, flush=True)
    # the hub draws its bars on a terminal, unless they are turned off
    if not whole and (not out.isatty() or _hub_bars_off()):
        line = ByteProgress(f"downloading {repo}", plan.total, out)
        progress = DownloadLine(line, _repo_folder(where, repo) / "blobs", plan.partial)
        bars, stop = {"tqdm_class": _line_bars(progress)}, _watch(progress, line.every_s)
    # huggingface_hub reads HF_HUB_OFFLINE once, as it is imported; set later, it is honoured here all the same
    offline = {"local_files_only": True} if _offline() else {}
    try:
        root = Path(_aside(repo, _repo_folder(where, repo) / "blobs", lambda: snapshot_download(
            repo, allow_patterns=list(patterns), cache_dir=cache_dir, **bars, **offline)))
        if progress is not None:
            progress.complete()
    except Exception as e:
        raise _said(repo, e, where, folder_fix, need=plan.total) from None
    finally:
        if stop is not None:
            stop()
    missing = _missing(root, patterns)
    if missing and _offline():
        raise WeightsError(f"HF_HUB_OFFLINE is set and {repo} in the hub cache {where} lacks {', '.join(missing)}",
                           "unset HF_HUB_OFFLINE and run `vcam download` with a network connection to complete "
                           f"it, or {folder_fix}")
    if missing:
        raise WeightsError(f"{repo} in the hub cache {where} lacks {', '.join(missing)}",
                           "run `vcam download` again with a network connection to complete the download")
    return root


# The transfers under way in this process, each with its repo and the blobs folder it writes in: a transfer is
# taken out as it ends. (Not told by its thread's is_alive(): a Ctrl-C in a join marks the thread ended.)
_TRANSFERS: dict[object, tuple[str, Path]] = {}


def _aside(repo: str, blobs: Path, fetch: Callable[[], str]) -> str:
    """`fetch()` on a thread of its own while this one waits, so that a Ctrl-C ends the wait at once and the command
    stops as it does elsewhere: on this thread, huggingface_hub's pool of download threads held the Ctrl-C back until
    each file in transfer was whole (the checkpoint's 28.6 GB: tens of minutes). The transfer goes on until the
    process leaves, which it does at once (leave_mid_download), not waiting for it as the interpreter's exit would."""
    done: dict[str, object] = {}
    ended = threading.Event()

    def run() -> None:
        try:
            done["root"] = fetch()
        except BaseException as e:  # handed to the waiting thread, which says it
            done["error"] = e
        finally:
            _TRANSFERS.pop(ended, None)
            ended.set()

    _TRANSFERS[ended] = (repo, blobs)
    try:
        threading.Thread(target=run, name="vcam-download", daemon=True).start()
    except BaseException:  # no thread to take it out as it ends: no transfer is under way
        _TRANSFERS.pop(ended, None)
        raise
    while not ended.wait(0.25):  # in steps: on Windows before Python 3.14, Ctrl-C does not end a wait without one
        pass
    if "error" in done:
        raise done["error"]
    return done["root"]


def downloading() -> bool:
    """Whether a transfer of this process is under way: left running by a command stopped with Ctrl-C, or by a show
    that ended while its model was being fetched."""
    return bool(_TRANSFERS)


def leave_mid_download(code: int) -> None:
    """Where a transfer of this process is under way: says in one line what becomes of the file in transfer, removes
    its partial file where no later download goes on from it, and ends the process at once with `code`. The
    interpreter's exit waited for huggingface_hub's threads to finish each file in transfer. Returns where none is."""
    under_way = list(_TRANSFERS.values())
    if not under_way:
        return
    from vcam.stdio import ignore_stops, leave_now

    ignore_stops()  # a second Ctrl-C, SIGTERM or SIGHUP must not cut the line or the removal short
    try:
        said = "".join(f"{left}; " for left in (_partials_left(repo, blobs) for repo, blobs in under_way) if left)
        start = stopped_line_start(sys.stderr, hub_bars_drawn)
        print(f"{start}vcam: download stopped; {said}the files it finished are kept: run "
              "the same command again to go on\n", end="", file=sys.stderr, flush=True)
    finally:
        leave_now(code)


def _partials_left(repo: str, blobs: Path) -> str:
    """What becomes of the partial files this process writes in `blobs`, said ("" where it has none yet: the
    transfer was still asking the hub about a file). huggingface_hub 2.x writes each under a name of its own
    (BLOB.<8 hex digits>.incomplete), which no later download goes on from: removed. 1.x and older write
    BLOB.incomplete, which the next download resumes: kept. Only those this process holds open are touched: a second
    download into the same cache (another vcam, an `hf download`) has partial files of its own there."""
    own = _open_here(blobs)
    if own is None:  # no /proc/self/fd: which are this process's cannot be told, so none is removed
        return (f"partial files of {repo} are kept in {blobs} (a *.<8 hex digits>.incomplete one is not resumed: "
                "delete it once no download runs)")
    kept = [path for path in own if _resumed(path.name)]
    removed = {path: size for path, size in ((path, _remove(path)) for path in own if path not in kept)
               if size is not None}
    said = []
    if kept:
        said.append(f"{_amount(sum(map(_size, kept)))} of {_files_of(repo, blobs, kept)} in transfer kept "
                    "(the next download goes on from it)")
    if removed:
        said.append(f"{_amount(sum(removed.values()))} of {_files_of(repo, blobs, list(removed))} in transfer "
                    "removed (huggingface_hub starts a file cut short afresh)")
    return "; ".join(said)


def _files_of(repo: str, blobs: Path, partials: list[Path]) -> str:
    """The files that `partials` are parts of, by name ("text_encoder/x.safetensors (Wan-AI/…)"), where the repo's
    tree listing says which blob each is; else the repo alone."""
    files = _blob_files(blobs.parent / "trees")
    names = [files.get(path.name.split(".")[0]) for path in partials]
    if not all(names):
        return repo
    return f"{', '.join(sorted(set(names)))} ({repo})"


def _blob_files(trees: Path) -> dict[str, str]:
    """The file each blob is in the repo (the blob named by its LFS sha256, or by its git hash for a small file), as
    the tree listings huggingface_hub 2.x keeps beside the blobs say it (trees/COMMIT.json, written as a download
    begins): read from the disk, as the hub may not answer a question at all, and a line said on the way out cannot
    wait for one. {} where there are none (huggingface_hub 1.x) or they cannot be read."""
    files: dict[str, str] = {}
    try:
        listings = sorted(trees.glob("*.json"))
    except OSError:
        return files
    for listing in listings:
        try:
            entries = json.loads(listing.read_text(encoding="utf-8")).get("files", {})
            files.update({info.get("lfs_sha256") or info["blob_id"]: name for name, info in entries.items()})
        except (OSError, ValueError, AttributeError, KeyError, TypeError):  # another format: the repo named alone
            continue
    return files


def _amount(size: int) -> str:
    """A partial file's size as the line says it; "the part" where it is empty, not "0 bytes" (huggingface_hub writes
    in 10 MB chunks: a file stopped early is open and empty)."""
    return size_text(size) if size else "the part"


def _open_here(blobs: Path) -> list[Path] | None:
    """The partial files in `blobs` this process holds open, as /proc/self/fd shows them; None where it cannot."""
    fds = Path("/proc/self/fd")
    try:
        entries = list(fds.iterdir())
        folder = blobs.resolve()
    except OSError:
        return None
    found = set()
    for entry in entries:
        try:
            target = Path(os.readlink(entry))
        except OSError:  # closed since the listing
            continue
        if target.parent == folder and target.name.endswith(".incomplete"):
            found.add(target)
    return sorted(found)


def _resumed(name: str) -> bool:
    """Whether a partial file of this name is gone on from by the next download: BLOB.incomplete (huggingface_hub
    1.x and older), not BLOB.<8 hex digits>.incomplete (2.x's own name for each download)."""
    return "." not in name.removesuffix(".incomplete")


def _remove(path: Path) -> int | None:
    """Removes `path`: its size, or None where it could not be removed (gone already, a folder not writable: it
    only takes room)."""
    size = _size(path)
    try:
        path.unlink()
    except OSError:
        return None
    return size


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _said(repo: str, e: BaseException, where: Path, folder_fix: str = FOLDER_FIX, need: int = 0) -> BaseException:
    """The hub's or the disk's failure as one WeightsError line with its fix; `e` itself where it is none of
    theirs. `need`: the bytes the download set out to fetch (0: not known)."""
    from huggingface_hub.errors import (GatedRepoError, HfHubHTTPError, LocalEntryNotFoundError,
                                        OfflineModeIsEnabled, RepositoryNotFoundError, RevisionNotFoundError)

    if isinstance(e, LocalEntryNotFoundError) and _http_error(e.__cause__):
        e = e.__cause__  # the hub's refusal (429, 5xx, 403), which huggingface_hub reports as "not in the cache"
    text = (str(e) or e.__class__.__name__).strip()
    first = (text.splitlines() or [""])[0]
    errno = getattr(e, "errno", None)
    status = getattr(getattr(e, "response", None), "status_code", None)
    # not "partial ones resume": huggingface_hub 2.x writes each file under a name of its own and drops it on failure
    again = "run again (finished files are kept)"
    if "No space left" in text or "os error 28" in text or errno == ENOSPC:
        return _disk_full(repo, where, folder_fix, need, again)
    if errno in (EACCES, EROFS) or isinstance(e, PermissionError):
        return WeightsError(f"the hub cache {where} is read-only and lacks files of {repo} ({first})",
                            "download them into it from a machine that can write it (`vcam download`), or point "
                            f"{_writable_fix()} at a writable folder")
    if isinstance(e, (OfflineModeIsEnabled, LocalEntryNotFoundError)):
        if _offline():
            return WeightsError(f"HF_HUB_OFFLINE is set and the hub cache {where} lacks {repo}",
                                "unset HF_HUB_OFFLINE and run `vcam download` with a network connection, or "
                                f"{folder_fix}")
        return WeightsError(f"could not reach the Hugging Face hub for {repo}, and the hub cache {where} lacks it",
                            "check the network connection (behind a proxy: set HTTPS_PROXY) and run again, or "
                            f"download the files elsewhere and {folder_fix}")
    if isinstance(e, GatedRepoError):
        return WeightsError(f"{repo} is gated: the hub serves it only to accounts that accepted its terms",
                            f"accept them at https://huggingface.co/{repo}, then log in here with `hf auth login` "
                            "(or set HF_TOKEN) and run again")
    if isinstance(e, RevisionNotFoundError):
        return WeightsError(f"the hub has no such revision of {repo} ({first})",
                            "leave the revision to vcam (the repo's main branch), then run again")
    if isinstance(e, RepositoryNotFoundError) or status in (401, 403):
        if _token():
            return WeightsError(f"the hub refused {repo} ({status or 401}) with this machine's token: {first}",
                                "the repos are public, so a stale or invalid token is the likely cause: unset "
                                "HF_TOKEN or log in again with `hf auth login`, then run again")
        return WeightsError(f"the hub refused {repo} ({status or 404}): it is private, renamed or gone ({first})",
                            f"check https://huggingface.co/{repo}; for a private repo log in with `hf auth login` "
                            "(or set HF_TOKEN), then run again")
    if status == 429:
        return WeightsError(f"the Hugging Face hub is rate-limiting this machine (429) while fetching {repo}",
                            f"wait a few minutes and {again}; logging in (`hf auth login` or HF_TOKEN) raises the "
                            "limit")
    if isinstance(status, int) and status >= 500:
        return WeightsError(f"the Hugging Face hub failed ({status}) while fetching {repo}",
                            f"wait a little and {again}")
    if _bad_endpoint(e):
        return WeightsError(f"HF_ENDPOINT is set to {os.environ['HF_ENDPOINT']!r}, which is no web address the hub "
                            f"can be reached at ({first})", "give the address whole, with https:// in front, or "
                            "unset HF_ENDPOINT to use huggingface.co; then run again")
    if isinstance(e, (HfHubHTTPError, OSError, *_transport_errors())) or (
            isinstance(e, RuntimeError) and "Data processing error" in text):  # hf_xet's wrapped network failures
        return WeightsError(f"downloading {repo} failed: {first}", f"check the network, then {again}")
    return e


def _disk_full(repo: str, where: Path, folder_fix: str, need: int, again: str) -> WeightsError:
    """A download the disk filled under: said as not complete, with what is still to fetch, whatever a bar said
    before (huggingface_hub's own bars count the bytes received, and stood at 100 % above "the disk is full")."""
    try:  # measured as said: the hub dropped its partial file as it failed, the room it took free again
        free = f", {size_text(_free_bytes(where))} free now"
    except OSError:
        free = ""
    took = f"{size_text(need)} of {repo}'s files still to fetch, " if need else ""
    return WeightsError(f"the download of {repo} did not complete: the disk holding {where} is full{free}",
                        f"free space there ({took}the weights about {HUB_DOWNLOAD_GB} GB in all; the next run says "
                        f"what is still missing before it fetches), or {_move_cache(folder_fix)}; then {again}")


# How httpx, httpx2 and requests refuse an address before any connection: the network is not to blame.
BAD_ADDRESS = ("UnsupportedProtocol", "InvalidURL", "MissingSchema", "InvalidSchema")


def _bad_endpoint(e: BaseException) -> bool:
    """Whether `e` is an address refused as malformed, with HF_ENDPOINT (a mirror typed without https://) to blame."""
    return bool(os.environ.get("HF_ENDPOINT")) and any(kind.__name__ in BAD_ADDRESS for kind in type(e).__mro__)


def _http_error(e: BaseException | None) -> bool:
    from huggingface_hub.errors import HfHubHTTPError

    return isinstance(e, HfHubHTTPError)


def _offline() -> bool:
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE) or os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")


def _token() -> bool:
    try:
        from huggingface_hub import get_token
    except ImportError:
        return bool(os.environ.get("HF_TOKEN"))
    return bool(get_token())


class DownloadLine:
    """The bytes of one repo's download, fed from the hub's progress bars by its download threads (up to 8 at once,
    hence the lock), or, where the hub feeds its bars none (huggingface_hub 1.0 and older give a custom bar class
    only the count of files), measured on disk: the blobs folder's growth since the download began, on top of the
    `resumed` bytes of partial files it goes on from. Growth, not size: partial files it never resumes (of another
    revision, or left by a killed process) would read as done."""

    def __init__(self, line: ByteProgress, blobs: Path, resumed: int = 0):
        self.line = line
        self.blobs = blobs
        self.fed = False  # the hub's bars report bytes: the disk is not measured then
        self._written = 0
        self._lock = threading.Lock()
        self._before = _blob_bytes(blobs) - resumed
        self._last = 0

    def add(self, n: int, total: int) -> None:
        with self._lock:
            self.fed = True
            self._written += n
            self.line.total = max(self.line.total, total)  # the hub's total grows as each file starts
            self._show(self._written)

    def measure(self) -> None:
        """One look at the disk, where the hub's bars report no bytes."""
        with self._lock:
            if not self.fed:
                self._show(max(0, _blob_bytes(self.blobs) - self._before))

    def _show(self, done: int) -> None:
        self._last = done
        # The total reached is said once the hub has returned (complete): hf_xet counts bytes as they arrive and
        # writes them after, and a disk that filled then said "(100%)" just before "the disk is full". Past it, the
        # total is one grown so far (no dry run), not the whole: said as it comes.
        if done != self.line.total or not done:
            self.line.update(done)

    def complete(self) -> None:
        """The download returned whole: its last count said, the total reached."""
        with self._lock:
            self.line.update(self._last)

    def done(self) -> None:
        with self._lock:
            self.line.done()


def _blob_bytes(blobs: Path) -> int:
    """Bytes in the hub cache's blobs folder, partial files included; 0 where it is not made yet."""
    total = 0
    try:
        for f in blobs.iterdir():
            total += f.stat().st_size
    except OSError:  # not made yet, or a file gone between listing and stat
        pass
    return total


def _watch(progress: DownloadLine, every_s: float) -> Callable[[], None]:
    """Measures the disk every `every_s` seconds in a thread of its own; returns what stops it and ends the line."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every_s):
            progress.measure()

    thread = threading.Thread(target=run, name="vcam-download-line", daemon=True)
    thread.start()

    def end() -> None:
        stop.set()
        thread.join()
        progress.done()  # huggingface_hub closes no bar at the end: a terminal's next line went on after the bar's

    return end


def hub_bars_drawn() -> bool:
    """Whether huggingface_hub draws its own bars: a download stopped then ends the row they drew on."""
    return not _hub_bars_off()


def _hub_bars_off() -> bool:
    """Whether huggingface_hub's own bars are off (HF_HUB_DISABLE_PROGRESS_BARS, set in many docker images): a
    terminal then showed nothing for the tens of minutes of a download."""
    try:
        from huggingface_hub.utils import are_progress_bars_disabled
    except ImportError:
        return False
    return bool(are_progress_bars_disabled())


def _silent_bars():
    """A tqdm class that draws nothing: the hub's dry run drew "[dry-run] Fetching 1 files" bars, which read as if
    nothing would be downloaded, and came into a log as lines of carriage returns."""
    from tqdm.std import tqdm

    class Silent(tqdm):
        def __init__(self, *args, **kwargs):
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

    return Silent


def _line_bars(progress: DownloadLine):
    """A tqdm class for huggingface_hub that draws nothing but feeds `progress` with the bytes written (its own
    bars stay silent where stderr is no terminal, leaving a log with nothing for the tens of minutes of a download).
    The hub makes one bar for bytes received and one for bytes written: only the latter counts."""
    from tqdm.std import tqdm

    class LineBars(tqdm):
        def __init__(self, *args, **kwargs):
            self._counts = kwargs.get("unit") == "B" and not str(kwargs.get("desc", "")).startswith("Downloading b")
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

        def update(self, n=1):
            if self._counts and n:
                progress.add(int(n), int(self.total or 0))
            return super().update(n)

    return LineBars


def _transport_errors() -> tuple[type[BaseException], ...]:
    """Network failures as huggingface_hub's HTTP library raises them once its own retries of a dropped or stalled
    download are spent: httpx's (huggingface_hub 1.x) and httpx2's (2.x) are no OSErrors, as requests' (0.x) were."""
    kinds = []
    for name in ("httpx2", "httpx"):
        try:
            kinds.append(importlib.import_module(name).TransportError)
        except (ImportError, AttributeError):
            pass
    return tuple(kinds)
