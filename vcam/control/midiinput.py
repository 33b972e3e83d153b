"""The MIDI input: the port watched, and read on a thread of vcam's own (mido + python-rtmidi).

An unplugged controller is reported and reopened when it comes back (not another of its make that was there all
along); the show goes on meanwhile. One not plugged in at the start, or behind a USB hub that wakes late, is waited
for by the same watch and opened when it comes. A knob's flood of values is followed to the newest, said in one line
and a count, and never holds up the MIDI clock.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vcam.control.midi import (CLOCK_MESSAGES, MidiRouter, Turned, Unheard, acted_on, find_port, heeded,
                               input_names, load_mido, matching, message_text, notes_line, notes_port, others_named,
                               port_errors, readable, renumbered, unavailable, waiting_line)
from vcam.control.midiinbox import Inbox, control_of
from vcam.control.midimap import MidiMap
from vcam.control.throttle import ErrorThrottle
from vcam.errors import VcamError, described
from vcam.words import counted

if TYPE_CHECKING:
    from mido import Message  # mido is optional: a machine that only shows frames has none
    from mido.ports import BaseInput

POLL_S = 0.001  # how often an rtmidi input's queue is read while MIDI comes: far below a JACK period or a clock tick
IDLE_POLL_S = 0.01  # ... and once none came for IDLE_S (a first knob's move waits up to 10 ms, for less CPU)
IDLE_S = 1.0
CLOSE_S = 2.0  # how long closing waits for the reading thread to hand the port back
# How long stopping waits for the port watch to finish what it is doing (an open, a look at the ports): generous, as a
# JACK client waits a server cycle, or the server's timeout on a loaded machine, to open; only a MIDI system that
# hangs outlasts it, and a port the watch opens after that is closed by the watch itself.
STOP_S = 30.0
# How long stopping waits for a control's command still in hand: the controls' thread touches no port, and a command
# slow to return (vcam cam's send behind an upload stalled on a dropped Wi-Fi, up to the link's keepalive) must not
# hold a quit as long as a port's open may
HANDLING_S = 2.0
# How often the open port is looked for in the port list. A controller unplugged and plugged back between two looks
# comes back under the same name (ALSA numbers a card's client by the card's own number, CoreMIDI and Windows name
# it alike), and its old port hears nothing more: looked for once a second, a cable that slipped out and back in
# left the controller deaf for the rest of the show. USB waits 100 ms after a device is attached before it even
# talks to it (the attach debounce), so looks closer than that see every replug as gone, then back. Not much closer:
# on rtmidi a look asks the client kept for it (PortLister), a listing, but through mido (every other backend) each
# listing opens two clients of its own.
OPEN_POLL_S = 0.05
# What to do where a port there cannot be opened: another program holds it (most MIDI systems let one program have a
# port at a time), or the driver lost track of it
OPEN_FIX = "close any other program using the controller (a DAW, another vcam), or unplug it and plug it back in"
# What to do where the controller left as its port was opened: a loose cable, a hub that powers down
GONE_FIX = "plug the controller back in (check its cable and any USB hub), then start vcam again"


def _rtmidi_apis(rtmidi) -> dict[int, str]:
    """rtmidi's API numbers by the names mido gives them ('UNIX_JACK')."""
    return {getattr(rtmidi, n): n[len("API_"):] for n in dir(rtmidi) if n.startswith("API_")}


class PolledInput:
    """An rtmidi input port read by a thread of vcam's own, not through a callback; closed by that thread too.

    python-rtmidi holds the GIL through every call into RtMidi, and a callback takes the GIL on the MIDI system's own
    thread (JACK's process thread, ALSA's input thread), which then waits for Python. A message arriving while
    another thread opened or closed a JACK client (a call that waits for JACK's next cycle, which waits for that
    thread) held both up until the JACK server gave up on the client, and JACK's way out (cancelling the thread that
    waits for the GIL, shutting the process's clients) then hung or crashed the whole process; ALSA's close joins its
    thread, and would wait for ever. A thread late for its JACK cycle also loses the MIDI of the cycles it missed
    (clock ticks, while the clock's fit runs). Without a callback, RtMidi queues each message and its thread never
    waits for Python; the queue is read every POLL_S (IDLE_POLL_S once the controller is quiet)."""

    def __init__(self, name: str, api: str | None, deliver: Callable) -> None:
        import rtmidi

        self.name = name
        self._deliver = deliver
        self._rt = rtmidi.MidiIn(rtapi=getattr(rtmidi, f"API_{api}", rtmidi.API_UNSPECIFIED))
        try:
            self.api = _rtmidi_apis(rtmidi).get(self._rt.get_current_api())
            names = self._rt.get_ports()
            if name not in names:
                raise OSError(f"unknown port {name!r}")
            self._rt.ignore_types(False, False, True)  # sysex and clock through, as mido has them; active sensing out
            self._rt.open_port(names.index(name))
        except BaseException:  # rtmidi's errors too (the port gone meanwhile): the caller says them
            self._rt.delete()  # no callback was set: nothing runs in it
            raise
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._read, name="midi in", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stops the reading; the port is closed by the reading thread once it is out of `deliver` (a handler that
        is slow to return holds it open rather than the caller)."""
        self._closing.set()
        if self._thread is not threading.current_thread():
            self._thread.join(CLOSE_S)

    def _read(self) -> None:
        from mido import Message

        last = time.monotonic()
        try:
            while not self._closing.is_set():
                got = self._rt.get_message()
                if got is None:
                    time.sleep(IDLE_POLL_S if time.monotonic() - last > IDLE_S else POLL_S)
                    continue
                last = time.monotonic()
                try:
                    msg = Message.from_bytes(got[0])
                except ValueError:  # not a whole message: mido leaves those out too
                    continue
                try:
                    self._deliver(msg)
                except Exception:  # noqa: BLE001 - a message that could not be handled must not deafen the port
                    pass
        finally:
            self._rt.delete()  # closes the port and its client; here, never while another thread reads it (a crash)


class PortLister:
    """Input port names for the unplug watch, through one client kept for the whole show.

    mido's get_input_names() opens two new rtmidi clients (an input and an output) for each listing; on JACK each
    new client waits for the server to reorder its graph, and while the open port was read through a callback its
    MIDI was held up or lost meanwhile (2-7 of 64 CCs in a second; see PolledInput). rtmidi's port list is asked
    afresh on every call, so one client sees unplugs and replugs. Other backends list without a client of their own
    and are asked through mido."""

    def __init__(self, api: str | None = None) -> None:
        self.api = api  # the rtmidi API of the open port, where mido was not told one (ALSA or JACK)
        self._client = None

    def names(self) -> list[str]:
        """As input_names(): VcamError when MIDI is not available."""
        mido = load_mido()
        if mido.backend.name != "mido.backends.rtmidi":
            return input_names()
        try:
            if self._client is None:
                import rtmidi

                api = getattr(rtmidi, f"API_{mido.backend.api or self.api}", rtmidi.API_UNSPECIFIED)
                self._client = rtmidi.MidiIn(rtapi=api, name="vcam port watch")
            return self._listing()
        except port_errors() as e:
            self.close()  # the next listing starts a new client (the MIDI system may come back)
            raise unavailable(e) from None

    def _listing(self) -> list[str]:
        """The client's port list, read again where a port went while it was read (an unplug): rtmidi counts the
        ports, then asks for each one's name, and fails on a number no longer there (InvalidPortError, a ValueError,
        which would end the watch) or has no name for it (None)."""
        try:
            names = self._client.get_ports()
        except ValueError:
            names = self._client.get_ports()
        return [n for n in names if n]

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.delete()
            except (OSError, RuntimeError):
                pass
            self._client = None


TURNED = "turned"  # a key's last part that counts a knob's replies apart from its errors
EARLY_KEPT = 4096  # messages kept from an input opened early: minutes of a busy controller, seconds of a flood
# How long the early input's end waits for its port watch: a look at the ports is a listing, done in milliseconds
# (a MIDI system that hangs in one is left behind, a daemon thread, rather than holding up the show or its refusal)
EARLY_JOIN_S = 1.0


@dataclass(frozen=True)
class EarlyLeft:
    """What the port opened as vcam started left to say once the show's input took it over: the oldest messages it
    dropped (more than EARLY_KEPT came), the taps it left out, and the messages kept for a port the show did not
    open (`unheard`, kept on `unheard_on`)."""

    dropped: int = 0
    taps: int = 0
    unheard_on: str | None = None
    unheard: int = 0

    def lines(self, port: str | None) -> list[str]:
        """What is said of them where the show listens on `port` (None: it waits for the controller)."""
        lines = []
        if dropped := self.dropped:
            oldest, were = ("message", "was") if dropped == 1 else (f"{dropped} messages", "were")
            lines.append(f"MIDI: the oldest {oldest} sent while vcam started {were} dropped (vcam keeps the newest "
                         f"{EARLY_KEPT:,} while it starts): press again any button pressed then")
        if taps := self.taps:
            lines.append(f"MIDI: {counted(taps, 'tap')} sent while vcam started {'was' if taps == 1 else 'were'} not "
                         "acted on (a tap's tempo is its timing, lost while the show loaded): tap the tempo again")
        if self.unheard:
            lines.append(_unheard_line(self.unheard_on, self.unheard, port))
        return lines


class EarlyInput:
    """The show's MIDI input opened as `vcam run` starts, before PyTorch's import and the show's checks (seconds in
    which knobs set while the show loads went nowhere): what a control sends meanwhile is kept, in order, for the
    show's MidiInput, which takes the port over (`take`). Only what the show's map acts on is kept (MIDI clock is
    not: a burst of stale ticks is no tempo), so a keyboard played on the same port pushes out no button's press;
    where more than EARLY_KEPT came, the oldest are dropped, a knob's last position kept. Nothing is said here: where
    the port is missing or cannot be opened, MidiInput says so.

    The port list is watched meanwhile, as MidiInput watches it (OPEN_POLL_S): a controller unplugged and plugged
    back in as the show loads comes back under the same name, its old port deaf, and MidiInput, handed that port,
    never saw it leave; one that left is closed here, and MidiInput opens the port afresh."""

    def __init__(self) -> None:
        self.name: str | None = None
        self._port = None
        self._mapping: MidiMap | None = None
        self._lock = threading.Lock()
        self._kept: deque = deque(maxlen=EARLY_KEPT)
        self.dropped = 0
        self.taps = 0  # the taps kept and left out as the port was taken over, for MidiInput to say
        self.unheard = 0  # the messages kept for a port the show did not open (it came back renamed), for MidiInput
        self._deliver: Callable | None = None
        self._done = threading.Event()  # taken over or closed: the watch ends
        self._watcher: threading.Thread | None = None

    def open(self, wanted: str, mapping: MidiMap) -> None:
        """Opens the input that `wanted` names best, where it is there and opens, keeping what `mapping` (the show's)
        acts on; else leaves it to MidiInput."""
        self._mapping = mapping
        try:
            port = find_port(wanted, input_names())
            if port is not None:
                self._port = _opened(port, self._keep)
                self.name = port
        except Exception:  # noqa: BLE001 - rtmidi's base RtMidiError too: MidiInput opens it again and says why
            self._port = self.name = None
            return
        if self._port is not None:
            self._watcher = threading.Thread(target=self._watch, args=(PortLister(getattr(self._port, "api", None)),),
                                             name="midi early watch", daemon=True)
            self._watcher.start()

    def _watch(self, lister: PortLister) -> None:
        try:
            while not self._done.wait(OPEN_POLL_S):
                try:
                    names = lister.names()
                except VcamError:  # MIDI itself went away: its port with it, as MidiInput's watch has it
                    names = []
                except Exception:  # noqa: BLE001 - rtmidi's base RtMidiError: a traceback as the show loaded; the
                    return  # port is left to MidiInput, whose own watch looks at it from the start
                if self.name not in names:
                    self._close()
                    return
        finally:
            lister.close()  # here: the client is never deleted while a listing runs

    def _keep(self, msg) -> None:
        with self._lock:
            deliver = self._deliver
            if deliver is None:
                if acted_on(msg, self._mapping):
                    self.dropped += len(self._kept) == EARLY_KEPT
                    self._kept.append(msg)
                return
        deliver(msg)

    def take(self, name: str, deliver: Callable[[Message], None],
             tap_press: Callable[[Message], bool | None] | None = None) -> object | None:
        """The port, where it is `name`'s, then what comes on it handed to `deliver`; None where it is not, or where
        its controller left meanwhile (closed). Where `name` is the input opened, the messages kept (those sent before
        an unplug too) go to `deliver` first, but for a tap button's (`tap_press` tells them: MidiRouter.tap_press),
        whose presses are counted in `taps`: handed on within microseconds of each other, they set no tempo; else
        none, and `dropped` is 0."""
        port, handed = None, False
        try:
            with self._lock:
                self._done.set()
                port, self._port = self._port, None
                if name == self.name:
                    kept, self._kept = list(self._kept), deque()
                    for msg in kept:  # under the lock: a message that comes meanwhile waits to go after them
                        if (tap := tap_press(msg) if tap_press is not None else None) is None:
                            deliver(msg)
                        else:
                            self.taps += tap
                    if port is not None:
                        self._deliver = deliver
                    handed = True
                else:
                    self.dropped, self.unheard = 0, self._none_acted_on()
                    self._kept.clear()
        finally:
            self._join()  # out of the lock, which the watch takes to close a port gone
            if port is not None and not handed:  # not taken by the caller, nor by this object's close any more
                _close_port(port)
        return port if handed else None

    def left(self) -> EarlyLeft:
        """What the take-over left to say (take)."""
        return EarlyLeft(self.dropped, self.taps, self.name if self.unheard else None, self.unheard)

    def close(self) -> int:
        """Closes the port where no MidiInput took it (the show refused before it started), and ends the watch:
        left running, it outlived a refused show's return. How many messages it kept that no input took."""
        self._done.set()
        self._join()
        self._close()
        with self._lock:
            kept, self._kept = self._none_acted_on(), deque()
        return kept

    def _none_acted_on(self) -> int:
        """The messages kept, and the oldest dropped for room: none acted on. Under the lock."""
        return len(self._kept) + self.dropped

    def _join(self) -> None:
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(EARLY_JOIN_S)

    def _close(self) -> None:
        with self._lock:
            port, self._port = self._port, None
        if port is not None:
            _close_port(port)


class MidiInput:
    """Listens on the input port `wanted` names best; reopens it when it is unplugged and comes back. One that is not
    there at the start is waited for (said once, beside the inputs there are, and where the name came from: `where`,
    a show file) and opened when it comes, by the same watch.

    MIDI clock is handed on as it arrives, on the thread that reads the port (a PolledInput's; the MIDI library's
    for mido's other backends): its timing is the tempo. Every other message goes through an Inbox to a thread of
    its own, so that a tick is never held up behind a knob's command, and a knob's flood of values is followed to
    the newest rather than queued. A knob's replies are held back as it sweeps: one line, then a count naming the
    last."""

    what = "the MIDI input"  # as the show's end names it where its stop fails

    def __init__(self, wanted: str, on_message: Callable, say: Callable[[str], None], poll: float = 1.0,
                 on_reconnect: Callable[[], None] | None = None, where: str | None = None,
                 unheeded: Callable | None = None, meanwhile: str = "the show goes on",
                 waiting: Callable[[str, list[str], str | None], str] = waiting_line) -> None:
        self.wanted = wanted
        self.waiting = waiting  # what is said where no input `wanted` names is there at the start
        self.meanwhile = meanwhile  # what goes on while an unplugged controller is waited for
        self.on_message = on_message
        # told of what no control acts on (pitch bend, aftertouch) on the controls' thread, in its place among the
        # rest: told on the port's reader, a pad's pressure overtook the pad's own note on its way to vcam midi learn
        self.unheeded = unheeded
        self.on_reconnect = on_reconnect or (lambda: None)
        # told of the port opened, at first and after an unplug (its controller's lights)
        self.on_opened: Callable[[str], None] = lambda name: None
        self.say = say
        self.poll = poll
        self.where = where
        self.port = None
        self.port_name: str | None = None  # None until a port was first opened
        self._port_lock = threading.Lock()  # the port, between the watch that opens it and a stop that closes it
        self._lister = PortLister()
        self._stop = threading.Event()
        self._errors = ErrorThrottle()
        # The throttle is read and said from three threads: the controls' (a reply), the port reader's (a clock
        # message whose handler failed) and the watch or a stop (the counts held back). Its own lock keeps each call
        # whole, not a count taken and then said: a count of older lines said after a newer line would make a stale
        # value the last word on a control. One throttle it stays, as its counts speak of the lines it held back.
        self._telling = threading.Lock()
        self._inbox = Inbox()
        self._known: set[str] = set()  # the inputs listed at the last look while the port was open
        self._lost: str | None = None  # the port that was unplugged, until it (or another) is open again
        self._refused: str | None = None  # why it could not be (re)opened, said once until it opens
        self._opened_failed = False  # telling `on_opened` failed, said
        self._thread = threading.Thread(target=self._run, name="midi", daemon=True)
        self._worker = threading.Thread(target=self._work, name="midi controls", daemon=True)
        self.early: EarlyInput | None = None  # the port opened as vcam started, taken over at the start
        self.tap_press: Callable | None = None  # tells its tap button's messages, which it does not hand on
        # a port gone between the first listing and its open is waited for (vcam run, serve: the show goes on), not
        # said as gone with an end (vcam cam and midi learn, as they end where the port is not there at all)
        self.waits_for_gone = False
        self._early_left = EarlyLeft()  # what the port opened early left to say, once this one's line is said

    def start(self) -> None:
        """Opens the input where it is there (one there that cannot be opened is raised, as is MIDI missing
        altogether: plugging a controller in would not help), else says what is waited for; then watches it."""
        try:
            self._first_open()
        except BaseException:
            self._end_early()
            raise
        kept_on = self.early.name if self.early is not None else None  # left to here: the port is not there at all
        if unheard := self._end_early():  # after the line that waits for it
            self.say(_unheard_line(kept_on, unheard, None))
        self._worker.start()
        self._thread.start()

    def _end_early(self) -> int:
        """Closes the port opened as vcam started where the show did not take it (another port, or none there now:
        what it kept is stale by a replug); how many messages it kept, none of them acted on."""
        early, self.early = self.early, None
        return early.close() if early is not None else 0

    def _first_open(self) -> None:
        """start's open of the input there, or its word that none is; VcamError where one there cannot be opened."""
        names = input_names()
        port = find_port(self.wanted, names)
        if port is None:
            self.say(self.waiting(self.wanted, names, self.where))
            self._known = set(names)  # none of them is it: the one that comes is new
            return
        if self._open(port, self._refused_at_start):
            self._listening(port, names)  # first: the lines left speak of that port's messages
            listens_on: str | None = port
        elif self._stop.is_set():
            return
        else:  # gone as it opened, and waited for: what the port opened early kept is stale by the time it is back
            listens_on = None
        for line in self._early_left.lines(listens_on):
            self.say(line)

    def _refused_at_start(self, port: str, e: BaseException) -> None:
        """The first open's failure: a controller that left between the listing and the open (mido's "unknown
        port") is waited for where `waits_for_gone` (as one gone a moment earlier is), else said as gone; one there
        that cannot be opened ends the start. Its error alone named neither the port nor what to do."""
        try:
            names = self._names_now()
            if port not in names and self.waits_for_gone:
                self.say(self.waiting(self.wanted, names, self.where))
                self._known = set(names)  # none of them is it: the one that comes is new
                return
        except BaseException:
            self._lister.close()
            raise
        self._lister.close()  # the watch that would close it never starts
        if port not in names:  # its error ("unknown port") is not what went wrong
            raise VcamError(f"MIDI input {readable(port)} went away as it was being opened", GONE_FIX) from None
        raise VcamError(f"MIDI input {readable(port)} could not be opened ({e})", OPEN_FIX) from None

    def stop(self) -> None:
        """Ends the watch and the controls' thread, waiting for what they are doing (the watch up to STOP_S: an open
        that is slow on a busy MIDI system; a command in hand up to HANDLING_S), and closes the port the watch opened
        last."""
        self._stop.set()
        deadline = time.monotonic() + STOP_S
        for thread, most in ((self._thread, STOP_S), (self._worker, HANDLING_S)):
            if thread.ident is not None:  # started
                thread.join(max(0.0, min(most, deadline - time.monotonic())))
        self._close()
        self._say_held_back(None)

    def _listening(self, port: str, names: list[str]) -> None:
        self.say(f"MIDI: listening on {readable(port)}")
        notes = notes_port(port, names)
        if notes is not None:  # not said as another controller the name names too: it is this one's
            self.say(notes_line(notes))
        if (others := others_named(self.wanted, port, [n for n in names if n != notes])) is not None:
            self.say(others)
        self._known = set(names)
        self._lister.api = getattr(self.port, "api", None)
        self._tell_opened(port)

    def _tell_opened(self, port: str) -> None:
        try:
            self.on_opened(port)
        except Exception as e:  # noqa: BLE001 - what follows the port (its lights) must not stop the watch over it
            if not self._opened_failed:  # said once: a replug would fail alike
                self._opened_failed = True
                self.say(f"MIDI: the pad lights could not follow {readable(port)} as it opened ({described(e)}); "
                         "its controls act as before")

    def _say_held_back(self, now: float | None) -> None:
        with self._telling:
            self._say_counts(now)

    def _say_counts(self, now: float | None) -> None:
        """Says the counts held back whose window has passed at `now` (all, without it); `_telling` held."""
        for line in self._errors.held_back(now):
            self.say(line)

    def _open(self, name: str, refused: Callable[[str, BaseException], None] | None = None) -> bool:
        """Opens `name` as the port; False where the input is stopping meanwhile: the port just opened is closed
        again, as a stop that gave up waiting for this open has closed what there was already. `refused`: told of
        the port's own error (port_errors) where it does not open, False then; without it, that error is raised."""
        port = None
        if self.early is not None:
            early, self.early = self.early, None
            port = early.take(name, self._deliver, self.tap_press)  # what fails here is vcam's, not the port's
            self._early_left = early.left()
        if port is None:
            try:
                port = _opened(name, self._deliver)
            except port_errors() as e:
                if refused is None:
                    raise
                refused(name, e)
                return False
        with self._port_lock:
            if not self._stop.is_set():
                self.port, self.port_name = port, name
                return True
        _close_port(port)
        return False

    def _close(self) -> None:
        with self._port_lock:
            port, self.port = self.port, None
        if port is not None:
            _close_port(port)

    def remapped(self) -> None:
        """The router's map was replaced: the controls are no longer merged as the old one had them (Inbox)."""
        self._inbox.remapped()

    def _deliver(self, msg) -> None:
        """The MIDI library's callback: clock at once, what a control may act on through the inbox, the rest (pitch
        bend, aftertouch, SysEx) dropped here (midi.heeded), or put through the inbox too for `unheeded`."""
        try:
            if msg.type in CLOCK_MESSAGES:
                self._act(msg)
            elif heeded(msg) or self.unheeded is not None:
                self._inbox.put(msg)
        except Exception as e:  # noqa: BLE001 - on the port's reader: said, where the reader's guard kept it quiet
            line = f"MIDI: a message from {self.port_name} could not be taken in ({described(e)}); it is lost"
            with self._telling:
                said = self._errors.admit(("taken in", e.__class__.__name__), line, time.monotonic())
            if said:
                self.say(said)

    def _work(self) -> None:
        while not self._stop.is_set():
            msg = self._inbox.get(timeout=0.25)
            if msg is not None:
                self._act(msg)

    def _act(self, msg) -> None:
        if self.unheeded is not None and msg.type not in CLOCK_MESSAGES and not heeded(msg):
            self.unheeded(msg)
            return
        control = control_of(msg)
        try:
            reply = self.on_message(msg)
        except Exception as e:  # a bad message must not kill the MIDI thread
            reply = f"error: MIDI {message_text(msg)}: {described(e)}"
        if isinstance(reply, Unheard):
            self._inbox.no_control(control)
        elif isinstance(reply, Turned):
            self._inbox.turned(control, reply.knob, reply.part)
            if reply.knob is not None:  # one line for a 14-bit knob's two halves
                control = (*reply.knob, "knob")
        elif reply:
            self._inbox.not_a_knob(control)  # a reloaded map made it a button
        if not reply:
            return
        with self._telling:
            now = time.monotonic()
            if reply.startswith("error"):
                self._tell(self._errors.admit(control, reply, now), (*control, TURNED))
            elif isinstance(reply, Turned):
                self._tell(self._errors.admit((*control, TURNED), str(reply), now), control)
            else:
                # a knob's count held back speaks of values that came before this press: said after it, a blend
                # swept before a preset read as on air over that preset
                self._say_counts(None)
                self.say(reply)

    def _tell(self, line: str | None, other: tuple) -> None:
        """Says `line` (None: held back) after the count held back of the other kind for the same control (its
        errors, its replies), which came before it."""
        if line is None:
            return
        if earlier := self._errors.flush(other):
            self.say(earlier)
        self.say(line)

    def _run(self) -> None:
        try:
            self._watch()
        finally:
            self._lister.close()  # here, not in stop(): the client is never deleted while a listing runs

    def _watch(self) -> None:
        while not self._stop.wait(self.poll if self.port is None else min(self.poll, OPEN_POLL_S)):
            try:
                self._say_held_back(time.monotonic())
            except Exception:  # noqa: BLE001 - a count not said must not stop the watch over the port
                pass
            if self.port is None:
                # Nothing is in flight to a closed port, so a fresh client costs nothing here, and the kept one may
                # have died with the MIDI server (a restarted JACK): it would list no ports ever again.
                self._lister.close()
            try:
                names = self._lister.names()
            except VcamError:
                names = []
            if self.port is not None:
                if self.port_name in names:
                    self._known = set(names)
                else:
                    self._close()
                    self._lost = self.port_name
                    # a knob's count held back speaks of values that came before the unplug: said after its line, it
                    # read as if the controller acted once gone
                    self._say_held_back(None)
                    self.say(f"MIDI controller {readable(self.port_name)} unplugged; waiting for it "
                             f"({self.meanwhile})")
            elif (found := self._returned(names)) is not None:
                if self.port_name is None:  # never opened: the input waited for since the start
                    self._connect(found, names)
                else:
                    self._reopen(found, names)

    def _returned(self, names: list[str]) -> str | None:
        """The input to open again: the one unplugged, by its name or, renumbered by ALSA, by the rest of it; else
        one that `wanted` names and that came since. An input that was there all along is another controller (a
        second one of the same make), not this one back."""
        lost = self._lost or self.port_name or ""
        fresh = [n for n in names if n == lost or n not in self._known]
        for found in ([n for n in fresh if n == lost], renumbered(lost, fresh),
                      matching(self.wanted, fresh)):
            if found:
                return found[0]
        return None

    def _connect(self, name: str, names: list[str]) -> None:
        """Opens the input waited for since the start, which has come; tried again at the next look where it cannot
        be opened yet (gone again, or not ready)."""
        if self._refused is None:
            self.say(f"MIDI input {readable(name)} connected")
        try:
            opened = self._open(name)
        except port_errors() as e:  # rtmidi's errors
            if name not in self._names_now():
                # listed at the look, gone by the open (a hub that flickers, a port renamed), or MIDI itself went
                # away: its error is not what went wrong
                self.say(f"MIDI input {readable(name)} went away before it could be opened; waiting for it again")
                self._refused = None  # when it comes again, that is said again
            elif str(e) != self._refused:  # said once, not every look it goes on
                self._refused = str(e)
                self.say(f"MIDI input {readable(name)} could not be opened ({e}); trying again until it opens")
            return
        if opened:
            self._refused = None
            self._listening(name, names)

    def _names_now(self) -> list[str]:
        try:
            return self._lister.names()
        except VcamError:
            return []

    def _reopen(self, name: str, names: list[str]) -> None:
        try:
            self.on_reconnect()
            self._inbox.forget()
            opened = self._open(name)
        except port_errors() as e:  # the port may be gone again already
            if str(e) != self._refused:  # said once, not every second it goes on
                self._refused = str(e)
                self.say(f"MIDI controller {readable(name)} could not be reopened ({e}); trying again until it "
                         "opens")
            return
        if opened:
            self._known, self._lost, self._refused = set(names), None, None
            self.say(f"MIDI controller {readable(name)} is back")
            self._tell_opened(name)


def _unheard_line(kept_on: str | None, count: int, port: str | None) -> str:
    """What is said of the messages kept from `kept_on` as vcam started, where the show opens `port` instead (the
    controller came back under another name: Windows numbers its inputs anew as they come and go), or none (None:
    it was unplugged, and is waited for)."""
    were = "was" if count == 1 else "were"
    why = (f"as the show listens on {readable(port)}: press again any button pressed then" if port is not None else
           "as it was unplugged before the show started: press again any button pressed then, once it is back")
    return (f"MIDI: {counted(count, 'message')} sent on {readable(kept_on or '?')} while vcam started {were} not "
            f"acted on, {why}")


def routed_input(wanted: str, router: MidiRouter, say: Callable[[str], None], where: str | None = None,
                 early: EarlyInput | None = None, waits_for_gone: bool = False) -> MidiInput:
    """The input whose controls `router` acts on: a controller back after an unplug is picked up anew, and a map
    reloaded on air changes at once how the input's floods are merged. `early`: the port opened as vcam started,
    whose messages kept are acted on first. `waits_for_gone`: MidiInput's."""
    midi = MidiInput(wanted, router.handle, say, on_reconnect=router.forget_buttons, where=where)
    midi.early, midi.tap_press = early, router.tap_press
    midi.waits_for_gone = waits_for_gone
    router.on_remap = midi.remapped
    return midi


def _opened(name: str, deliver: Callable[[Message], None]) -> PolledInput | BaseInput:
    """The input port `name`, each message handed to `deliver` on the thread that reads it."""
    mido = load_mido()
    if mido.backend.name == "mido.backends.rtmidi":  # mido's port would read it through a callback
        return PolledInput(name, mido.backend.api, deliver)
    return mido.open_input(name, callback=deliver)


def _close_port(port) -> None:
    try:
        port.close()
    except OSError:
        pass
