"""Control logs (--log-controls) and their replay (--replay): JSON lines, a header with the starting settings,
then every applied action with its time, block, command and source, then the number of blocks made.

The stream's changes are logged with the block they were applied before, and replayed there. The camera side's
changes (freeze, blackout, live) and every move of the tempo's grid (a bpm, a tap, a MIDI clock or Link that
starts, stops, changes tempo or jumps) happen at a moment, not at a block: they are logged with the generated frame
on screen then (`"shown": [block, index]`), a tempo with the beat it was at when that frame came on screen; a
screen change with the frame the camera's screen set it after (vcam.live.screen.Screen.set: the last tick's, the one
a freeze holds), which the controller then logs from its own thread. A replay makes them when that frame comes on
its own camera (the tempo anchored there), a render after that frame, so a freeze and a blackout fall on the same
pictures as in the show whatever the replay's speed, and so does the beat at each logged tempo move (between moves
a replay counts beats by its own clock: one slower than the show drifts from the show's beat until the next move;
changes made on the beat are logged by block and land there).

Logs written before keep neither: their screen changes go by block, as they always did, and their tempo has no
phase (said once: the replay counts its beats from the moment its tempo is set).

The header's input, input_fit and strength (the video restyled at the start) came in with video in: a log written
before has none of them, and its replay starts text only, as the show it was made from did."""
from __future__ import annotations

import json
import os
import re
import stat
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from vcam import filelock
from vcam.control.actions import Action, Origin, Quit, SetInput, SetScreen, SetTempo, from_dict
from vcam.control.protocol import OnFrameShown, Producer, Shown
from vcam.errors import VcamError
from vcam.bias import check_bias
from vcam.control.commands import MAX_SEED, MAX_TRANSITION
from vcam.inspec import INPUT_FITS, check_strength, parse_input
from vcam.sizes import check_size
from vcam.targets import names_a_descriptor
from vcam.words import shell_word
from vcam.writeback import write_back


CAMERA_SIDE = (SetScreen, SetTempo)  # changes made at a moment: logged with the frame on screen then


class ControlLog:
    """`older`: the whole path of the file `out` writes, where it holds an older log still (opened, not emptied).
    That log is a show `vcam render` makes again, so it is kept until this show goes on air (`on_air`, its first
    block): the lines wait in memory until then, and a show that never goes on air (a start refused, a model that
    does not load, Ctrl-C while loading) leaves it as it was, said at the end. From the first block on, every line
    is written as it comes, so a show that crashes leaves what it logged until then."""

    def __init__(self, out: TextIO, header: dict, say: Callable[[str], None] | None = None,
                 older: str | None = None):
        self.out = out
        self.older = older
        # named as the show starts: a relative --log-controls in a current folder deleted during the show has no
        # absolute name at the end (getcwd fails), and its log was lost without a word
        self._name = _absolute_name(out)
        self._held: list[str] | None = [] if older else None  # the lines waiting for the show to go on air
        self._ended = False  # `end` came: a block made after it leaves an older log as it was
        self._closed = False  # the end line is written: a line from here is not the show's
        self._aired = False  # `on_air` came before `end`: a block was handed on, whatever count `end` is given
        self._kept = False  # the older log could not be emptied on air: the file holds it whole, none of this show
        self.say = say or (lambda text: print(text, file=sys.stderr, flush=True))
        self._failed = False  # a write failed (a full disk, a pulled stick): said once, the show goes on
        self.started = time.monotonic()
        self._lock = threading.Lock()  # the generator thread and the controls' threads both write
        # the generated frame on the camera now (the show's pacer's `showing`); None: no camera here
        self.showing: Callable[[], Shown | None] | None = None
        self._tempo = None
        self._blocks: Callable[[], int] = lambda: 0
        self._unplaced = False  # a grid logged before any frame was on screen: placed again at the first
        self._write({"vcam": header})

    @property
    def path(self) -> str | None:
        """The log's file as named whole when the show started (None for one without a name): still true at the end
        where the current folder it was named from is gone."""
        return self._name

    def record(self, action: Action, block: int, origin: Origin, shown: Shown | None = None) -> None:
        entry = {"t": round(time.monotonic() - self.started, 3), "block": block}
        if shown is not None:
            entry["shown"] = [shown.block, shown.index]
        self._write({**entry, "command": origin.command, "source": origin.source, "apply": action.to_dict()})

    def on_screen(self) -> Shown | None:
        return self.showing() if self.showing is not None else None

    def follow_tempo(self, tempo, blocks: Callable[[], int]) -> None:
        """Logs every move of `tempo`'s grid (a vcam.control.tempo.Tempo), with `blocks()` blocks made then."""
        self._tempo, self._blocks = tempo, blocks
        tempo.watch(self._tempo_moved)
        current = tempo.grid()  # one set before: its moves from now on are heard, itself is logged here
        if current is not None and current[0] != "replay":
            self._log_grid(*current, None, self.on_screen())

    def frame_shown(self, shown: Shown) -> None:
        """The pacer's `on_frame_shown`: a grid logged while the loading card was up is placed again on the
        first frame (a clock that ran from before the show: its phase against the pictures)."""
        if not self._unplaced or self._tempo is None:
            return
        # under the tempo's lock: a clock's newer move, logged from its own thread, must not come before this one
        with self._tempo.held():
            current = self._tempo.grid()  # reading it may log a move, placed on this frame already
            if current is not None and self._unplaced and current[0] != "replay":
                self._log_grid(*current, None, shown)

    def _tempo_moved(self, source: str, grid, cause: object) -> None:
        if source != "replay":  # as a replayed action is not logged again
            self._log_grid(source, grid, cause, self.on_screen())

    def _log_grid(self, source: str, grid, cause: object, shown: Shown | None) -> None:
        """The grid as a tempo action: its beat when the frame on screen came on (else now, while loading)."""
        at = shown.since if shown is not None else self._tempo.clock()
        action = SetTempo(round(grid.bpm, 4), round(grid.beat_at(at), 4), grid.running)
        origin = cause if isinstance(cause, Origin) else Origin(f"tempo {grid.bpm:.2f} bpm", source)
        self._unplaced = shown is None
        self.record(action, self._blocks(), origin, shown)

    def applied(self, action: Action, block: int, origin: Origin | None) -> None:
        """A producer's listener: records what came from a command (a replayed action has no origin)."""
        if origin is not None:
            self.record(action, block, origin)

    def on_air(self) -> None:
        """The show made its first block: the older log is replaced by the lines held until now."""
        if self._aired:  # read without the lock: once True, it stays so
            return
        with self._lock:
            if self._aired or self._ended:  # a block made after the end: the older log stays
                return
            self._aired = True
            if self._held is None:
                return
            held, self._held = self._held, None
            try:
                self.out.seek(0)
                self.out.truncate()
            except (OSError, ValueError) as e:
                self._kept = True
                self._cannot_write(e)
                self.out.close()  # the older log is whole: no line of this show is written over a part of it
                return
            self._put("".join(held))

    @property
    def failed(self) -> bool:
        """Whether a write failed: the log lacks what came after it (and its end line)."""
        return self._failed

    @property
    def kept_older(self) -> bool:
        """Whether the file holds the older log still, whole, and no line of this show: it never went on air, or
        the older log could not be emptied as it did."""
        return self._kept or (self.older is not None and self._held is not None)

    def end(self, blocks: int) -> None:
        """The last line (how many blocks the show made: where its replay stops), then the file is closed; a show
        that made no block closes an older log's file untouched, and says so."""
        if blocks:
            self.on_air()  # a first block whose listeners had not run yet
        with self._lock:  # decided once: a first block made from here leaves the older log alone (on_air)
            self._ended = True
            kept = self._held is not None  # a line logged from here waits in memory, never written
            # the producer hands its block on (on_air) before it counts it: a count of 0 read in between would end
            # the log that replaced the older one with no block, a log vcam render refuses
            blocks = max(blocks, 1) if self._aired else blocks
        if kept:
            self.say(f"nothing logged to {self.older} (the older log there is kept as it was)")
        else:
            self._write({"end": {"blocks": blocks}}, last=True)
            self._write_back_if_deleted()
        try:
            self.out.close()
        except OSError:
            pass  # said already by the write that failed

    def _write_back_if_deleted(self) -> None:
        """A log whose file was deleted during the show (a clean-up, its folder removed) is still whole behind the
        descriptor: it is written back under its name (its folder made again), or beside it where another file has
        taken the name, and said; closed with the descriptor, the show's log was lost and the end said nothing. One
        moved is said where it is; one an NFS client keeps under a hidden name until it closes is deleted all the
        same."""
        try:
            held = os.fstat(self.out.fileno())
        except (AttributeError, OSError, ValueError, TypeError):  # an in-memory log, or one closed by a failed write
            return
        name = self._name
        if name is None:
            return
        # /dev/stdout's file is whatever stdout was sent to, not this log's to write back or follow: a supervisor
        # that keeps a show's output in a file deleted as it opens it made every such show end by saying its log
        # was deleted, and (as root) wrote /dev/stdout-recovered
        if not stat.S_ISREG(held.st_mode) or names_a_descriptor(name):
            return
        if held.st_nlink > 0:
            where = _moved_to(self.out.fileno(), name, held)
            if where is None:
                return
            if not _deleted_on_nfs(where):
                self.say(f"control log {name} was moved during the show: it is at {where}")
                return
        try:
            written = write_back(self.out.fileno(), name)
        except OSError as e:
            self.say(f"control log {name} was deleted during the show and could not be written back ({e}): this "
                     "show's log is lost (keep --log-controls in a folder nothing cleans up)")
            return
        self.say(f"control log {name} was deleted during the show: written back to {written}")

    def _write(self, entry: dict, last: bool = False) -> None:
        """Writes one line. It runs on the controls' threads and under the tempo's lock (a clock's move), so a
        failing write is said once and the show goes on unlogged: it must not stop a tempo or a command."""
        line = json.dumps(entry) + "\n"
        with self._lock:
            # A command applied by a producer left running at the end (a CPU's block is not waited for) or a clock's
            # move after the end line: not part of the show, where it was said as a write that failed on air
            if self._closed:
                return
            self._closed = last
            if self._held is not None:
                self._held.append(line)
            else:
                self._put(line)

    def _put(self, text: str) -> None:
        try:
            self.out.write(text)
            self.out.flush()
        except (OSError, ValueError) as e:  # ValueError: written after close
            self._cannot_write(e)

    def _cannot_write(self, e: Exception) -> None:
        if not self._failed:
            self._failed = True
            self.say(f"control log: cannot be written ({e}); the show goes on, its controls from here are "
                     "not logged (free some disk space, or give --log-controls a path that can be written)")


def _absolute_name(out: TextIO) -> str | None:
    try:
        return os.path.abspath(out.name)
    except (AttributeError, OSError, TypeError):  # an in-memory log, one on a bare descriptor, no current folder
        return None


def _moved_to(fd: int, name: str, held: os.stat_result) -> str | None:
    """Where the file open on `fd` is now, where it is no longer at `name` (its folder renamed during the show): the
    operator looked for it at its old name. Linux names a descriptor's file in /proc; elsewhere None."""
    try:
        st = os.stat(name)
        if (st.st_dev, st.st_ino) == (held.st_dev, held.st_ino):
            return None
    except OSError:
        pass  # nothing at its name now
    try:
        where = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None
    return where if os.path.isabs(where) else None


def _deleted_on_nfs(where: str) -> bool:
    """Whether `where` is the hidden name an NFS client gives a file deleted while open (.nfs and hex digits): it
    goes as the file is closed, so the log there is lost as said to be found."""
    return os.path.basename(where).startswith(".nfs")


@dataclass(frozen=True)
class AtFrame:
    """A camera side's change (screen, tempo) as logged: the blocks made then, and the frame on screen."""

    block: int
    frame: tuple[int, int]  # (block, index in it)
    action: Action


@dataclass
class Replay:
    header: dict
    actions: list[tuple[int, Action]]  # (the block it was applied before, the action), in the log's order
    end_block: int | None
    at_frames: list[AtFrame] = field(default_factory=list)  # in the log's order
    cut_line: int | None = None  # the number of the last line, left out: cut short as the show ended writing it
    past_end: list[tuple[int, int]] = field(default_factory=list)  # (line, block) of changes after the end line's

    def say_past_end(self, path: str, say: Callable[[str], None]) -> None:
        """Says the changes logged at a block after the end line's count (a line edited in by hand), which neither
        a render nor a replay reaches: they were left out without a word. A show logs none there (its changes come
        before the blocks it counts, at most one at the count: applied as it stopped)."""
        if not self.past_end:
            return
        line, block = self.past_end[0]
        more = len(self.past_end) - 1
        others = f" (and {more} more after it)" if more else ""
        last = max(b for _, b in self.past_end)
        say(f"{path}:{line}: the change at block {block}{others} comes after the end line's {self.end_block} "
            f"blocks, so it is not made; raise the end line's blocks above {last} to make "
            f"{'them' if more else 'it'}")

    def say_cut(self, path: str, say: Callable[[str], None]) -> None:
        """Says the last line left out, cut short, where there was one: the show's change there is not made."""
        if self.cut_line is None:
            return
        if self.end_block is None and filelock.written_now(path):  # it said the show had ended, of one on air
            why = "is being written by the show on air now"
        else:
            why = "is cut short (the show ended while writing it)"
        say(f"{path}:{self.cut_line}: the last line {why}: left out, the lines before it are made again")

    def refuse_if_empty(self, path: str, what: str) -> None:
        """VcamError before anything loads where the log's show made no block (it was stopped while loading): a
        render or replay of it would load the model (minutes for krea-14b) to make nothing."""
        if self.end_block == 0:
            raise VcamError(f"{path} holds no block: its show was stopped before it went on air, so there is "
                            f"nothing to {what}", "give the log of a show that went on air")

    def schedule(self, producer: Producer, state, tempo=None, frames: OnFrameShown | None = None,
                 say: Callable[[str], None] | None = None,
                 on_change: Callable[[Action, Shown | None], None] | None = None) -> None:
        """Hands every action to `producer` at its block; a screen change sets `state.screen`, a tempo sets
        `tempo` (a vcam.control.tempo.Tempo, source "replay"). Those logged with the frame on screen are made when
        that frame (or the first after it) comes on the camera, through `frames` (the pacer's on_frame_shown);
        without it, at their block. `on_change(action, shown)` hears of each once it is made, with the frame on
        screen then for one made at its frame (the controller's state follows the stream's, and whoever watches the
        show is told: a client's camera makes a screen change after that same frame). The replay ends where the log
        ends, not at its quit. An old log's tempo without a phase is said once through `say`."""
        if tempo is not None and say is not None and any(
                isinstance(a, SetTempo) and a.beat is None for _, a in self.actions):
            say("the control log keeps no beat phase (written before vcam kept it): the replay counts its beats "
                "from the moment each logged tempo is set; its changes still land on their logged blocks")

        def on_applied(action: Action, block: int, origin: Origin | None) -> None:
            if isinstance(action, CAMERA_SIDE):
                _make(action, state, tempo, None)
            if on_change is not None:
                on_change(action, None)

        producer.on_applied(on_applied)
        for block, action in self.actions:
            if not isinstance(action, Quit):
                producer.submit(action, at_block=block)
        if frames is None:
            for change in self.at_frames:
                producer.submit(change.action, at_block=change.block)
        elif self.at_frames:
            frames(_FrameTimetable(self.at_frames, state, tempo, on_change).shown)


class _FrameTimetable:
    """The camera side's changes waiting for their frame: each made once that frame, or a later one, is on."""

    def __init__(self, changes: list[AtFrame], state, tempo,
                 on_change: Callable[[Action, Shown | None], None] | None = None):
        # stable: the log's order within a frame; a deque, as a long log's front is taken off thousands of times
        self._waiting = deque(sorted(changes, key=lambda c: c.frame))
        self.state, self.tempo = state, tempo
        self.on_change = on_change

    def shown(self, shown: Shown) -> None:
        at = (shown.block, shown.index)
        while self._waiting and self._waiting[0].frame <= at:
            action = self._waiting.popleft().action
            _make(action, self.state, self.tempo, shown.since)
            if self.on_change is not None:
                self.on_change(action, shown)


def _make(action: Action, state, tempo, since: float | None) -> None:
    """A camera side's change, made now: the screen; the tempo, its logged beat falling at `since` (the time its
    frame came on screen; now without one)."""
    if isinstance(action, SetScreen):
        state.screen = action.mode
    elif isinstance(action, SetTempo) and tempo is not None:
        if action.beat is None:  # an old log: the beat count goes on from the grid in use
            tempo.set_bpm(action.bpm, "replay")
        else:
            at = since if since is not None else tempo.clock()
            tempo.set_bpm(action.bpm, "replay", anchor=(at, action.beat), running=action.running)


def _unreadable(path: str, e: OSError | UnicodeDecodeError) -> str:
    """Why a control log could not be read, and what to do: vcam writes its logs, so one that is not UTF-8 text
    is another file."""
    if isinstance(e, FileNotFoundError):
        return (f"control log {path} does not exist; check the path (vcam run --log-controls FILE writes one, "
                "and the end of that show names its whole path)")
    if isinstance(e, IsADirectoryError):
        return f"control log {path} is a folder; name the .jsonl file in it that vcam run --log-controls wrote"
    if isinstance(e, UnicodeDecodeError):
        if e.encoding.startswith(("utf-16", "utf-32")):  # read as its editor saved it, and damaged or cut short
            line = e.object.count(b"\n", 0, e.start) + 1
            return (f"{path}:{line}: the control log is saved as {e.encoding.upper()[:6]} and its text is damaged "
                    "or cut short there; open it in an editor and save it as UTF-8, the encoding vcam writes")
        if (said := _not_utf8(path, e)) is not None:
            return said
        return (f"{path} is not a control log: it is not text (byte 0x{e.object[e.start]:02x}); give the .jsonl "
                "file that vcam run --log-controls wrote")
    if isinstance(e, PermissionError):
        return f"cannot read control log {path} (permission denied); let the user running vcam read it (chmod a+r)"
    return f"cannot read control log {path} ({e.strerror or e})"


UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")  # the byte-order marks an editor's "Unicode" (UTF-16) starts a file with
UTF32_MARKS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")  # UTF-32's, the first of which starts as UTF-16's does


def _log_text(data: bytes) -> str:
    """A log's bytes as text. vcam writes UTF-8; an editor may save it again with a UTF-8 byte-order mark (Windows'
    Notepad: refused as "not a control log", its first line no longer opening with "{") or as UTF-16 with its mark
    (Notepad's "Unicode": refused as "not text"), or without one (a script's UTF-16 LE or BE: misread as UTF-8, its
    every other byte a NUL, and refused at line 1 as damaged), all read as written."""
    return data.decode(_encoding(data))


def _encoding(data: bytes) -> str:
    """The encoding a log's bytes are in, by their byte-order mark, else by where the NULs of UTF-16 fall in its
    start (a log starts with ASCII, `{"vcam"`: each character a byte and a NUL, or a NUL and a byte)."""
    if data.startswith(UTF32_MARKS):
        return "utf-32"
    if data.startswith(UTF16_MARKS):
        return "utf-16"
    head = data[:64]
    if len(head) >= 2 and len(head) % 2 == 0:
        even, odd = head[0::2], head[1::2]
        if not odd.strip(b"\0") and 0 not in even:
            return "utf-16-le"
        if not even.strip(b"\0") and 0 not in odd:
            return "utf-16-be"
    return "utf-8-sig"


def starts_a_log(head: bytes) -> bool:
    """Whether `head`, the start of a file, opens with a control log's header line ({"vcam": {...}}), in any
    encoding a log is read in (`_log_text`); a character cut at the end of `head` is no matter."""
    lines = head.decode(_encoding(head), errors="ignore").splitlines()
    try:
        entry = json.loads(lines[0]) if lines else None
    except ValueError:
        return False
    return isinstance(entry, dict) and "vcam" in entry


def _not_utf8(path: str, e: UnicodeDecodeError) -> str | None:
    """Why a log that is JSON lines in another encoding than UTF-8 cannot be read (an editor that saved a prompt
    typed with an accent as Latin-1 or Windows-1252), with the line of its first such byte; None for a file that
    is no log at all (a recording), said as not text."""
    data = e.object
    if not data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{"):
        return None
    line = data.count(b"\n", 0, e.start) + 1
    return (f"{path}:{line}: byte 0x{data[e.start]:02x} is not UTF-8 text (was the control log saved in another "
            "encoding, such as Latin-1 or Windows-1252?); open it in an editor and save it as UTF-8, the encoding vcam "
            "writes")


def _not_a_log(path: str) -> str:
    """A file whose first line is no JSON object: another kind of file, most likely the show file itself."""
    said = f"{path} is not a control log: its first line is not one of the JSON lines vcam run --log-controls writes"
    if path.lower().endswith((".yaml", ".yml")):
        return (f"{said}; a show file is played with vcam run {shell_word(path)} (add --log-controls show.jsonl to "
                "write a log to render)")
    return f"{said}; give the .jsonl file that vcam run --log-controls wrote"


def replay_to_make(path: str, what: str, say: Callable[[str], None]) -> Replay:
    """The log at `path` read for a render or replay (`what`): a last line cut short said, and one whose show made
    no block refused (VcamError) before anything loads."""
    replay = read_replay(path, say)
    replay.say_cut(path, say)
    replay.refuse_if_empty(path, what)
    replay.say_past_end(path, say)
    return replay


def read_replay(path: str, say: Callable[[str], None] | None = None) -> Replay:
    """A control log written by --log-controls, read and checked whole; ValueError naming the line that is not
    what such a log holds (the header first, then actions, then at most one end line). A named pipe that nothing
    writes yet is waited for, said through `say`."""
    try:
        text = _log_text(_log_bytes(path, say))
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(_unreadable(path, e)) from None
    lines = text.splitlines()
    header, actions, at_frames, end, cut = None, [], [], None, None
    lines_of: list[tuple[int, int]] = []  # (line, block) of each change: the block it is made at
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if header is None and not line.lstrip().startswith("{"):
            raise ValueError(_not_a_log(path))
        try:
            entry = _entry(line, i, cut_short=i == len(lines) and not text.endswith("\n"), header=header is None)
            if entry is None:  # the last line, cut short as a killed show (or a full disk) ended it: left out
                cut = i
                break
            if header is None and "vcam" not in entry:
                raise ValueError("the log does not start with its header ({\"vcam\": {...}}, the settings the "
                                 "show started with); is this a log written by vcam run --log-controls?")
            if end is not None:
                raise ValueError(f"a line after the end line (line {end[1]}): is this two logs in one file?")
            if "vcam" in entry:
                if header is not None:
                    raise ValueError("a second header: is this two logs in one file?")
                header = _header(entry["vcam"], i)
            elif "end" in entry:
                end = (_block(entry["end"].get("blocks") if isinstance(entry["end"], dict) else None), i)
            elif "block" in entry and "apply" in entry:
                block, action = _logged_action(entry, i)
                if "shown" in entry and isinstance(action, CAMERA_SIDE):
                    at_frames.append(AtFrame(block, _frame(entry["shown"]), action))
                    lines_of.append((i, at_frames[-1].frame[0]))  # made as that block is on screen
                else:
                    actions.append((block, action))
                    lines_of.append((i, block))
            else:
                raise ValueError("not a control log line (neither the header, an action with its block and "
                                 f"'apply', nor the end); {_line_fix(i)}")
        except ValueError as e:
            raise ValueError(f"{path}:{i}: {e}") from None
    if header is None:
        raise ValueError(f"{path}: empty, no header line; is this a log written by vcam run --log-controls?")
    _from_log_folder(header, actions, os.path.dirname(os.path.abspath(path)))
    past_end = [(i, block) for i, block in lines_of if end is not None and block > end[0]]
    return Replay(header, actions, end[0] if end else None, at_frames, cut, past_end)


PIPE_QUIET_S = 1.0  # how long a named pipe may take to bring its first bytes before the wait for a writer is said


def _log_bytes(path: str, say: Callable[[str], None] | None) -> bytes:
    """The whole file at `path`. A named pipe (mkfifo) is opened without waiting: opened as a file, it waited for a
    writer without a word, for ever where none came; one with nothing written within PIPE_QUIET_S is said, then
    waited for (Ctrl-C stops the wait). A pipe with its writer there (bash's <(zcat show.jsonl.gz)) is read at once."""
    nonblocking = getattr(os, "O_NONBLOCK", 0)
    try:
        fifo = nonblocking and stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:
        fifo = False  # opening it says why
    if not fifo:
        with open(path, "rb") as f:
            return f.read()
    fd = os.open(path, os.O_RDONLY | nonblocking)
    with os.fdopen(fd, "rb") as f:
        if not _readable(fd, PIPE_QUIET_S) and say is not None:
            say(f"{path} is a named pipe that nothing has written yet: waiting for the control log to be written "
                "into it, read whole before the show starts (Ctrl-C stops; give the log's .jsonl file itself to "
                "read it at once)")
        _readable(fd, None)
        os.set_blocking(fd, True)  # read up to the writer's close
        data = f.read()
    if not data:  # no file that is empty: nothing came through (a writer that failed, or a cat of an empty file)
        raise ValueError(f"{path}: its writer closed this pipe without sending anything (did the command writing "
                         "it fail?); write the control log into it, or give the log's .jsonl file itself")
    return data


def _readable(fd: int, timeout: float | None) -> bool:
    """Whether the pipe `fd` has bytes, or its writer has closed it, within `timeout` seconds (None: waits)."""
    import select

    poll = select.poll()
    poll.register(fd, select.POLLIN)
    return bool(poll.poll(None if timeout is None else int(timeout * 1000)))


def _from_log_folder(header: dict, actions: list[tuple[int, Action]], folder: str) -> None:
    """A clip or image path written relative (by hand: vcam logs whole paths) is read from the log's folder, as a
    show file's are from the show's: read from the current folder, a log moved with its clips, or rendered from
    another folder, found none of them."""
    if "input" in header:
        header["input"] = str(parse_input(header["input"]).relative_to(folder))
    for i, (block, action) in enumerate(actions):
        if isinstance(action, SetInput):
            actions[i] = (block, SetInput(str(parse_input(action.spec).relative_to(folder))))


def _line_fix(line: int) -> str:
    return f"correct line {line}, or delete it to make the show again without it"


def _logged_action(entry: dict, line: int) -> tuple[int, Action]:
    """The block and action an action line logs; ValueError saying what to do with the line: it named only what
    was wrong, and an action or field a newer vcam logs read as damage."""
    try:
        return _block(entry["block"]), from_dict(entry["apply"])
    except ValueError as e:
        if str(e).startswith("unknown action") or "unknown field" in str(e):
            raise ValueError(f"{e}; a log from a newer vcam? make it again with that vcam, or delete line {line} to "
                             "make the show again without it") from None
        raise ValueError(f"{e}; {_line_fix(line)}") from None


def _entry(line: str, number: int, cut_short: bool, header: bool = False) -> dict | None:
    """The JSON object on `line` (line `number`); None where `cut_short` (it is the file's last and has no end)
    and it is cut short: what came before it makes the show as far as it was logged, with --blocks as any log
    without its end line. `header`: it is the header, before which nothing can be cut (there is no log)."""
    try:
        entry = json.loads(line)
    except json.JSONDecodeError as e:
        if cut_short and header:
            raise ValueError(f"the header, the log's first line, is cut short ({e.msg}): the show ended while "
                             "writing it, before any command was logged, so the log holds nothing to use; run the "
                             "show again with --log-controls") from None
        if cut_short and _unfinished(line, e):
            return None
        raise ValueError(f"not a control log line ({e.msg}); {_line_fix(number)}") from None
    if not isinstance(entry, dict):
        raise ValueError(f"not a control log line; {_line_fix(number)}")
    return entry


def _unfinished(line: str, e: json.JSONDecodeError) -> bool:
    """Whether the JSON on `line` stops unfinished at its end, as a line cut short does (at most a part of a number,
    word or escape left, or zeros a crashed disk left): one whole but mistyped (an editor saves a last line without
    its newline) was left out as cut short, where it is to be corrected."""
    if e.msg == "Extra data":
        return False
    left = line[e.pos:].rstrip(" \t\0")
    return e.msg.startswith("Unterminated string") or re.fullmatch(r"[\w.+\-\\]*", left) is not None


def _header(header: object, line: int) -> dict:
    """The starting settings, with the input they name in its canonical form; ValueError for one a replay could
    not start from, saying to correct it on `line`."""
    if not isinstance(header, dict):
        raise ValueError(f"the header must be a mapping of settings, not {type(header).__name__}")
    header = dict(header)
    try:
        _check_input(header)
        _check_start(header)
    except ValueError as e:
        raise ValueError(f"header: {e}; correct it on line {line}, the settings the show started with") from None
    return header


def _check_input(header: dict) -> None:
    if "input" in header:
        if not isinstance(header["input"], str):
            raise ValueError(f"input must be text such as 'camera' or 'file:clip.mp4', not {header['input']!r}")
        header["input"] = str(parse_input(header["input"]))
    if "input_fit" in header and header["input_fit"] not in INPUT_FITS:
        raise ValueError(f"input_fit must be one of {', '.join(INPUT_FITS)}, not {header['input_fit']!r}")
    if "strength" in header:
        value = header["strength"]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"strength must be a number from 0 to 1, not {value!r}")
        header["strength"] = check_strength(value)
    if "bias" in header:
        value = header["bias"]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"bias must be a number above 0 and at most 1, not {value!r}")
        header["bias"] = check_bias(value)


def _whole(header: dict, key: str, lo: int, hi: int) -> None:
    value = header.get(key)
    if key in header and (isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi):
        raise ValueError(f"{key} must be a whole number from {lo} to {hi}, not {value!r}")


def _check_start(header: dict) -> None:
    """The settings a stream starts from, as the command line bounds them."""
    _whole(header, "seed", 0, MAX_SEED)
    _whole(header, "steps", 1, 50)
    _whole(header, "transition", 0, MAX_TRANSITION)
    if "model" in header and not isinstance(header["model"], str):
        raise ValueError(f"model must be a model's name, not {header['model']!r}")
    if "size" in header:
        size = header["size"]
        if not (isinstance(size, list) and len(size) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in size)):
            raise ValueError(f"size must be [width, height], not {size!r}")
        check_size(*size)
    if "fps" in header:
        fps = header["fps"]
        if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 1 <= fps <= 240:
            raise ValueError(f"fps must be a number from 1 to 240, not {fps!r}")
    if "prompts" in header:
        prompts = header["prompts"]
        if not isinstance(prompts, dict) or not prompts or not all(
                isinstance(w, (int, float)) and not isinstance(w, bool) for w in prompts.values()):
            raise ValueError(f"prompts must be a non-empty mapping of text to weight, not {prompts!r}")
        try:  # the rule a logged prompt change is held to: a header's weights all 0 failed once the model loaded,
            from_dict({"op": "prompt", "prompts": prompts, "transition": 0})  # said without the log or its line
        except ValueError as e:
            raise ValueError(f"prompts: {str(e).removeprefix('prompt: ')}") from None


def _frame(value: object) -> tuple[int, int]:
    if not (isinstance(value, list) and len(value) == 2 and all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)):
        raise ValueError(f"shown must be [block, frame index], whole numbers from 0, not {value!r}")
    return value[0], value[1]


def _block(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"block must be a whole number from 0, not {value!r}")
    return value
