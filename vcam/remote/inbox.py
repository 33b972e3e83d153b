"""What the server's messages do on the camera's side: frames gathered into blocks for the pacer (and said got, to a
server that holds them to the link's pace), the state into the controller that mirrors it and the camera's screen,
replies and errors said; a message this client cannot use skipped and said once a minute.
"""
from __future__ import annotations

import time

from vcam.control.throttle import words_of
from vcam.remote import protocol as proto
from vcam.remote.controller import finite_number
from vcam.words import terminal_safe


class Inbox:
    """The part of the link (link.py) that reads the server's messages; the link holds the state they change."""

    def _take(self, message) -> None:
        """A message received; one this client cannot use (a server of another version sent what it does not
        expect) is skipped and said once a minute with a count, where it ended the connection, and the next one
        ended the same way: a reconnect every half second, with two lines each, for as long as the server ran."""
        try:
            self._receive(message)
        except Exception as e:  # noqa: BLE001 - any message's failure leaves the connection and the others be
            self._unusable(e)

    def _unusable(self, e: Exception) -> None:
        """A message skipped, said once a minute with a count (where it was skipped without a word, a server of
        another version left the camera's view of the show stale, and nothing said why)."""
        text = (f"skipped a message from the server that this vcam cam cannot use ({e.__class__.__name__}: "
                f"{str(e)[:80]}); is vcam serve of another version? install the same vcam on both machines")
        self._say_throttled(("unusable", e.__class__.__name__), text)

    def _receive(self, message) -> None:
        if isinstance(message, bytes):
            try:
                self._frame(message)
            finally:
                # it came, whatever became of it here (a damaged picture, a block the pacer failed on): a server
                # holding the next frames for its answer would wait its 10 s
                if self._acking and (seq := proto.frame_seq(message)) is not None:
                    self._ack(seq)
            return
        if len(message) > proto.MAX_SERVER_TEXT:  # dropped without a word, it left the camera's state stale unsaid
            self._too_long(len(message))
            return
        try:
            data = proto.parse_text(message, proto.MAX_SERVER_TEXT)
        except proto.ProtocolError as e:
            self._unusable(e)
            return
        kind = data["type"]
        typed = self._unanswered.answered() if kind in ("reply", "error") else False
        if kind == "pong":
            self._acking = data.get("acks") is True
            # a server from before tells none: the gaps are learned alone; told once a connection, as the pongs to
            # the pings after the first (PING_EVERY_S) would fill the gaps learned with the server's word
            if finite_number(data.get("block_s")) and not self._gaps_told:
                self._blocks.gaps.told(data["block_s"])
                self._gaps_told = True
        if kind == "pong" and finite_number(data.get("t")) and finite_number(data.get("server")):
            self._clocks.pong(data["t"], data["server"], self._clock())
        elif kind == "state":
            self._state(data)
        elif kind == "reply":
            self._state(data["state"] if isinstance(data.get("state"), dict) else {})
            self._reply_text(data.get("text"), typed)
        elif kind in ("send_ok", "send_refused") and self.uploader is not None:
            self.uploader.answer(data)
        elif kind == "ok":
            pass
        elif kind == "error":
            message = data.get("message")
            self.say(f"server: error: {terminal_safe(message)}" if isinstance(message, str) and message.strip()
                     else "server: error (it gave no message)")
        elif kind == "notice":  # a change of this client's that failed on air: the server held back its repeats
            self._notice(data.get("text"))

    def _notice(self, text: object) -> None:
        """What the server tells this client alone (a change it sent that failed as the show applied it), said as
        its other messages are; one that is no text (a server of another version) is skipped and said once a
        minute."""
        if not isinstance(text, str):
            self._unusable(proto.ProtocolError(f"a notice whose text is a {type(text).__name__}, not a string"))
        elif text.strip():
            self.say(f"server: {terminal_safe(text)}")

    def _frame(self, message: bytes) -> None:
        self.bytes += len(message)
        try:
            header, frame = proto.decode_frame(message)
        except proto.ProtocolError as e:
            self._bad_frame(e)
            return
        self._blocks.add(header, frame)
        self.frames += 1
        if self._clocks.known:  # frames may come before the pong: the last connection's offset may read another clock
            # the link's clock, as its pings are stamped: a step of this machine's wall clock moved it by as much
            self.net_latency = max(0.0, self._clock() + self.offset - header.sent_at)
        self._blocks.end_if_last(header)

    def _ack(self, seq: int) -> None:
        """Tells the server the frames up to `seq` came (it holds the ones on the way to the link's pace: inflight.py).
        Never waits: where a write holds the connection (an upload's frame, with --send), the writer says it as it
        lets go (link.py: _unlock). Waiting for it held the frames read to ~20 a second while an upload filled the
        link."""
        with self._ack_lock:
            self._ack_due = seq
        self._say_got()

    def _say_got(self) -> None:
        """Says the newest frame got not yet said, where the connection is free; else whoever holds it does after."""
        while self._ack_due is not None:
            if not self.connected or not self._send_lock.acquire(blocking=False):
                return
            try:
                # read under the lock, as the frame's got is: read before, it could be a connection that ended as
                # the link came back and a frame came on the new one, whose got it then took and lost
                ws = self._ws if self.connected else None
                if ws is None:
                    return
                with self._ack_lock:  # taken as it goes: an older one never stands in for a newer one set meanwhile
                    seq, self._ack_due = self._ack_due, None
                if seq is not None:
                    self._write(ws, [proto.text("got", seq=seq)])
            except Exception:  # noqa: BLE001 - a dead connection: the link's thread notices it
                return
            finally:
                self._send_lock.release()  # then the loop: one set while it was held is said too

    def _bad_frame(self, e: proto.ProtocolError) -> None:
        text = f"skipped a frame: {e}"
        if str(e) == proto.NOT_A_FRAME:  # the header itself is another: a server of another vcam version
            text += ("; is vcam serve of another version than this vcam cam? install the same vcam on both "
                     "machines")
        # by its words: a damaged frame names the size it claims, which differs from one to the next
        self._say_throttled((words_of(str(e)),), text)

    def _too_long(self, size: int) -> None:
        """A text message past MAX_SERVER_TEXT, skipped: the connection goes on (the next state may fit)."""
        text = (f"dropped a message of {size:,} characters from the server, over the {proto.MAX_SERVER_TEXT:,} vcam "
                "cam reads (a state naming very many or very long presets?): this camera's view of the show may lag; "
                "fewer or shorter presets in the show file keep it under, or install the same vcam on both machines "
                "if they differ")
        self._say_throttled(("too long",), text)

    def _say_throttled(self, key: tuple, text: str) -> None:
        """`text` said, or held back and counted where one of its `key` was said within BAD_FRAMES_SAID_S."""
        if line := self._bad_frames.admit(key, text, time.monotonic()):
            self.say(line)

    def _reply_text(self, text: object, typed: bool = False) -> None:
        """A reply's text, which the protocol makes a string (a command's answer); another kind of value (a server
        of another version) is said in one line, where it was printed as a Python list or dict."""
        if isinstance(text, str):
            if text:
                self._say_reply(text, typed)
        elif text is not None:
            self._unusable(proto.ProtocolError(f"a reply whose text is a {type(text).__name__}, not a string"))

    def _say_reply(self, text: str, typed: bool = False) -> None:
        """A reply said; an error said once, then counted, for the same error again within a few seconds (a knob's
        sweep), but each time to a line typed at this console: its answer was held back, then said as "1 more like
        it", where the operator typed two lines the same error answers (a value out of range, then another)."""
        text = terminal_safe(text)
        if text.startswith("error") and not typed:  # a sweep: the same error for each message, said once, then counted
            text = self._errors.admit((words_of(text),), text, time.monotonic())  # whatever value each names
        if text:
            self.say(text)

    def _state(self, state: dict) -> None:
        self.remote.update(state)
        if self.screen is not None:
            self.screen.heard(state)
