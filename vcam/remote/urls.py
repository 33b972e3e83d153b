"""The server's address as `vcam cam` is given it: checked before anything opens (with the address a mistyped one
most likely meant), the port it connects to, and its host as said to the operator.
"""
from __future__ import annotations

import ipaddress
import re
import socket
import unicodedata
from typing import NamedTuple
from urllib.parse import SplitResult, parse_qs, parse_qsl, unquote, urlsplit, urlunsplit

from vcam.remote import protocol as proto
from vcam.remote.addresses import url_host
from vcam.words import shell_word


def _fullwidth(text: str) -> str:
    """`text` as an East Asian keyboard types it: each ASCII sign or letter in its fullwidth form (? as ？)."""
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


# the signs that part an address's query, read as the ASCII ones the operator meant where typed fullwidth
_AS_MEANT = str.maketrans(_fullwidth("?&#="), "?&#=")
# token as a query's name, as vcam serve reads it (its %XX decoded: ?to%6Ben= is ?token=), in any case; and typed
# in fullwidth letters (an East Asian keyboard's), no token to vcam serve, but the secret typed all the same
_TOKEN_NAME = "".join(f"(?:{c}|%{ord(c):02x}|%{ord(c.upper()):02x}|{_fullwidth(c)})" for c in "token")
# and its = (one written %3D or fullwidth too, as above), for an (?i) pattern
_TOKEN_IS = rf"{_TOKEN_NAME}(?:=|%3d|{_fullwidth('=')})"
# what a token's name=value pair follows: a query's ? or & (or the ; some servers split pairs at), a # (the token
# typed in the wrong place), a / (a path read as the query), each as typed, written %XX (%3F, %26…: no pair to vcam
# serve, the secret typed all the same) or fullwidth (an address typed on an East Asian keyboard)
_PAIR_STARTS = "?&;#/"
_PAIR_START = "(?:[" + re.escape(_PAIR_STARTS) + _fullwidth(_PAIR_STARTS) + "]|" + \
    "|".join(f"%{ord(c):02x}" for c in _PAIR_STARTS) + ")"
# the starts that begin a query (where the pair after a token left out is offered after a ?, as the server reads it)
_QUERY_OPENS = ("?", "#", "%3f", "%23", *_fullwidth("?#"))
_SLASHES = ("/", "%2f", _fullwidth("/"))
# a token's value: up to the next pair's & or fullwidth ＆ (a # or ; in it is the token's, as vcam serve reads it),
# the spaces pasted after it left out
_VALUE_ENDS = "&" + _fullwidth("&")
_TOKEN_VALUE = rf"[^{_VALUE_ENDS}]*[^{_VALUE_ENDS}\s]"
# a token pair: its start, its name and =, its value, and (looked at, not taken: it starts the next pair) the & that
# follows it where one does
_TOKEN_PAIR = re.compile(rf"(?i)({_PAIR_START})({_TOKEN_IS})({_TOKEN_VALUE})")
# as left out of an address offered: an empty token too, with the spaces pasted after it and the & that follows
# (where one does, spaces or not between)
_TOKEN_PAIR_LEFT_OUT = re.compile(rf"(?i)({_PAIR_START})({_TOKEN_IS})((?:{_TOKEN_VALUE})?\s*)([{_VALUE_ENDS}]?)")
# an unfinished token pair at the end of a text: what an @ read as a password's end cut in two
_TOKEN_CUT = re.compile(rf"(?i){_PAIR_START}{_TOKEN_IS}[^{_VALUE_ENDS}]*$")


def said_url(url: str) -> str:
    """`url` as said on the terminal: a password in it (user:password@) and a ?token= as ***, as a screen shared or
    filmed at a show must not show them (the operator has typed them: the rest of the address is what a message is
    about). Read from the last @ back, whatever the form typed (ws:/…, ws//…, a raw / ? or # in the password):
    hiding too much of an odd address is better than saying a password. An @ in a query's name=value pair (?x=a@b)
    after a host part with no password in it ends no password: read as one, the host and port were hidden."""
    return _token_hidden(_password_hidden(url))


def holds_token(url: str) -> bool:
    """Whether `url` holds a ?token= that said_url hides: read by said_url's own rule, so that what is said to be
    hidden is what the terminal showed as ***."""
    return said_url(url) != _password_hidden(url)


def _password_hidden(url: str) -> str:
    at = userinfo_at(url)
    if at < 0:
        return url
    head, host = url[:at], url[at + 1:]
    scheme, slashes = re.match(r"([A-Za-z][A-Za-z0-9+.-]*:)?(/*)", head).groups()
    userinfo = head[len(scheme or "") + len(slashes):]
    if ":" not in userinfo:
        if scheme and not slashes:  # bare user:password@host, the user read as a scheme
            scheme, userinfo = "", head
        else:
            return url  # a user without a password
    prefix = f"{scheme or ''}{slashes}"
    return f"{prefix}{userinfo.partition(':')[0]}:***@{_token_tail_hidden(head, host)}"


def _token_tail_hidden(head: str, host: str) -> str:
    """`host` (what follows the @ read as a password's end) with the end of a ?token= begun before that @ as ***:
    ws://h:8765?token=ab@cd reads as user h and password 8765?token=ab too, and was said as ws://h:***@cd."""
    rest, netloc = _host_part(head)
    if ":" in netloc and not netloc.rpartition(":")[2].isdecimal():
        return host  # no port before the ?, so no query: a raw ? in the password (ws://vj:s3cret?token=x@host)
    if not _TOKEN_CUT.search(head, len(head) - len(rest) + len(netloc)):
        return host
    end = re.search(f"[{_VALUE_ENDS}]", host)
    return "***" + (host[end.start():] if end else "")


def _token_hidden(url: str) -> str:
    """`url` (its password hidden) with the value of each token pair after it as ***: vcam serve takes its token in
    the query too (in place of --token), and the address is said in every connecting and status line. Only after
    the password: read there, a password's &token= was cut, its start said and the host lost."""
    after = url.rfind(":***@") + 1
    # the spaces after the token kept: an address quoted to show the space pasted after it lost it
    tail = url[after:]

    def hidden(pair: re.Match) -> str:
        if pair[1].lower() in _SLASHES and "?" in tail[:pair.start()]:
            return pair[0]  # a / begins a token pair in the path only: ?next=/token=x is next's value
        return f"{pair[1]}{pair[2]}***"

    return url[:after] + _TOKEN_PAIR.sub(hidden, tail)


def put_back(url: str) -> str:
    """What to say after an address offered as said_url says `url`: where the password or token goes back."""
    hidden = [word for word, shown in (("password", _password_hidden(url) != url),
                                       ("token", holds_token(url))) if shown]
    if not hidden:
        return ""
    return f" (with the {' and the '.join(hidden)} where " + ("each *** stands)" if len(hidden) > 1 else "*** stands)")


def _without_token(url: str) -> str:
    """`url` without the token pairs said_url hides, by said_url's own rule (_TOKEN_PAIR), an empty token's too, and
    the spaces pasted after each: one after a fullwidth ？ or ＆, a # or a %-written ? is no pair of the query sent,
    but the secret all the same. The rest is kept as typed, but for the pair after a token that began the query (or
    the path): it begins it with a ? (an & where a query is already open), as the server reads it. A / begins a
    token pair in the path only: in a query's value (?next=/token=x) it is the value's."""
    at = userinfo_at(url)
    if "?" in url[:max(at, 0)]:  # a raw ? in the password (ws://vj:pw?token=x@host): no query
        return url
    head, tail = url[:at + 1], url[at + 1:]
    pos = 0
    while pair := _TOKEN_PAIR_LEFT_OUT.search(tail, pos):
        start, opened = pair[1].lower(), "?" in tail[:pair.start()]
        if start in _SLASHES and opened:
            pos = pair.start() + 1
            continue
        kept = "/" * (start == "/")  # a %2F or ／ is the path's text, not a step: left out with the pair
        query = tail.find("?", pair.start() + 1, pair.end())
        if not opened and start != "?" and query >= 0:  # in the path, a token's value ends at the query's ?
            tail = tail[:pair.start()] + kept + tail[query:]
            pos = pair.start() + len(kept)  # the ? may start a token pair itself
            continue
        if start in _QUERY_OPENS + _SLASHES and pair[4]:  # the next pair begins the query (after the path's /)
            kept += "&" if opened else "?"
            tail = tail[:pair.start()] + kept + tail[pair.end():]
        else:  # the & before the next pair kept
            tail = tail[:pair.start()] + kept + tail[pair.end() - len(pair[4]):]
        pos = pair.start() + len(kept.rstrip("?&"))  # the ? or & kept may start a token pair itself
    return head + tail  # the spaces pasted after a token went with it (a space after the rest is the rest's)


def _meaning(url: str) -> tuple | None:
    """What vcam serve reads from `url` but its token: host, port, path (its token pairs left out) and every query
    pair, name and value, by the server's own parser (parse_qs of the query the websockets library sends: a %26 or
    ; in a value is the value's), but a pair named token (also one named with its letters or = written %XX, as a
    non-ASCII address sends them, or in fullwidth letters: the secret, never sent by the offer). A # before a
    token is read as the query's & (no address with a # is dialled: a token typed in the wrong place). None where
    no host and port can be read."""
    head, hash_, fragment = url.partition("#")
    if hash_ and re.match(rf"(?i){_TOKEN_IS}", fragment):  # ?x=1#token=… (else a token's value: ?token=a#b)
        url = head + ("&" if "?" in head else "?") + fragment
    try:
        parts = urlsplit(url)
        port = url_port(parts)
    except ValueError:
        return None
    path = _TOKEN_PAIR_LEFT_OUT.sub(lambda m: "/" * (m[1] == "/"), parts.path)
    query = parts.query + f"#{parts.fragment}" * ("#" in url)  # a token's value runs over a # (?token=a#b)
    from websockets.exceptions import InvalidURI
    from websockets.uri import parse_uri

    try:  # the query as sent: a non-ASCII letter has each % sent as %25
        query = parse_uri(dialled(url.partition("#")[0])).query + f"#{parts.fragment}" * ("#" in url)
    except (InvalidURI, ValueError):  # not dialled as it stands: read as typed
        pass
    pairs = [(name, value) for name, value in parse_qsl(query, keep_blank_values=True)
             if unicodedata.normalize("NFKC", unquote(name)).lower().partition("=")[0] != "token"]
    return parts.hostname, port, path.rstrip("/"), pairs


def query_token(url: str) -> str:
    """The token `url` gives in its ?token=, as vcam serve reads it: in the query the websockets library sends, not
    the one typed (an address holding a non-ASCII letter is sent with each % written %25, so ?to%6Ben= names no
    token there); "" where it gives none."""
    return _sent_query(url).get("token", [""])[0]


def _sent_query(url: str) -> dict[str, list[str]]:
    """The query's names and values as vcam serve reads them from the request the websockets library sends (empty
    where none is sent): read from the address as typed, a name or value that the library writes otherwise (each %
    of an address holding a non-ASCII letter as %25) disagreed with the server's reading."""
    from websockets.exceptions import InvalidURI
    from websockets.uri import parse_uri

    try:
        return parse_qs(parse_uri(dialled(url)).query)
    except (InvalidURI, ValueError):  # not dialled at all (an IPv6 host without its closing bracket): nothing sent
        return {}


def userinfo_at(url: str) -> int:
    """Where the @ that ends the address's user name or password stands, -1 where there is none: the last @, but
    for one in a query's name=value pair (?x=a@b) after a host part that holds no password (gpu.box, gpu.box:8765/,
    vj:pw@gpu.box). Where a user: stands before the ? (ws://vj:ab?c=1@host), a raw ? in the password is as likely:
    read as the query's, the password was said in full."""
    at = url.rfind("@")
    rest, netloc = _host_part(url)
    after_netloc = len(url) - len(rest) + len(netloc)
    bracket = netloc.find("[")
    if bracket == 0 or bracket > 0 and netloc[bracket - 1] == "@":
        # a bracketed host ends the host part's user name and password (neither holds a raw [): an @ after it is
        # the path's or the query's, read as a password's end, ws://[::1]:8765/a@b was said as ws://[:***@b
        return bracket - 1 + after_netloc - len(netloc) if bracket else -1
    if at == len(url) - 1 and at >= after_netloc and netloc.rpartition(":")[2].isdecimal():
        # no host after it, so it ends no password: ws://h:8765/@ (dialled at h port 8765) was said as ws://h:***@
        at = url.rfind("@", 0, at)
    if ":" not in netloc and ":" not in url[after_netloc:max(at, 0)] and re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", url):
        # no password before the path (ws://gpu.box/?by=vj@studio): an @ after it is the path's (ws//vj:pw@host, a
        # scheme mistyped, and ws://ws//vj:pw@host, one typed twice, are read from their last @)
        return -1 if "@" not in netloc else after_netloc - len(netloc) + netloc.rfind("@")
    if at < after_netloc:
        return at
    user_at = netloc.rfind("@")
    if ":" in netloc[:max(user_at, 0)]:
        # user:password@host typed in full, which is what is dialled: an @ after it is the path's or the query's
        # (ws://vj:pw@h/a@b was said, and offered to type again, as ws://vj:***@b: the password sent to host b)
        return after_netloc - len(netloc) + user_at
    no_password = ":" not in netloc or ":" in netloc[:max(user_at, 0)] or (
        url[after_netloc] == "/" and netloc.rpartition(":")[2].isdigit())
    if no_password and all(_in_query_pair(url, a) for a in range(after_netloc, len(url)) if url[a] == "@"):
        return -1 if user_at < 0 else after_netloc - len(netloc) + user_at
    return at


class _HostPart(NamedTuple):
    rest: str  # the address after its scheme and slashes (all of it where none were typed: u:pw@host)
    netloc: str  # rest up to its first / ? or #


def _host_part(url: str) -> _HostPart:
    scheme, slashes = re.match(r"([A-Za-z][A-Za-z0-9+.-]*:)?(/*)", url).groups()
    rest = url[len(scheme or "") + len(slashes):] if slashes else url
    return _HostPart(rest, re.split(r"[/?#]", rest, maxsplit=1)[0])


def _in_query_pair(url: str, at: int) -> bool:
    """Whether the @ at `at` stands in the value of a name=value pair of the address's query."""
    query = url.find("?")
    fragment = url.find("#", query)
    if query < 0 or at < query or 0 <= fragment < at:
        return False
    return "=" in url[max(url.rfind("&", query, at), query) + 1:at]


# said where no address is offered: the one typed is asked for, its token left out (by --token)
_TYPED_WITHOUT_TOKEN = "vcam cam ADDRESS --token TOKEN (ADDRESS: the address typed, without its token=…{})"
# and where it holds a fullwidth sign, how to type that sign for the address to mean what was meant
_AS_TYPED_IN_ASCII = ", its fullwidth ？ ＆ ＃ ＝ typed as ? & # ="


def cam_command(url: str) -> str:
    """The `vcam cam` line to type again with a token, its password hidden (said_url) and said where to put it back:
    pasted as shown, it would connect with *** as the password."""
    offered = _without_token(url)  # --token gives it: the one in the query was refused or missing
    meant = url.translate(_AS_MEANT)
    # the token left out of what was meant before it is read: ？role=control?token=x meant ?role=control (typed
    # fullwidth, its ? read as ASCII, the token's ? ended up inside the role's value, which then watched)
    as_meant = (_meaning(meant), _meaning(_without_token(meant))) if meant != url else None
    if not _means_the_typed(_meaning(offered), _meaning(url), as_meant):
        return _TYPED_WITHOUT_TOKEN.format(_AS_TYPED_IN_ASCII if meant != url else "")
    return f"vcam cam {shell_word(said_url(offered))} --token TOKEN" + put_back(offered)


def _means_the_typed(offered: tuple | None, typed: tuple | None,
                     meant: tuple[tuple | None, tuple | None] | None) -> bool:
    """Whether an address offered, read by vcam serve as `offered`, asks what the address typed asked: what the
    server reads from it (`typed`) or, typed on a fullwidth keyboard (？ ＆ ＃ ＝), what the operator meant
    (`meant`: read with its token in and with it left out; None where no such sign was typed). Left out, the
    token took what the server read around it (?role=control%26token=x: role "control&token=x", which watches,
    where the offer without it controls). Read
    either way, the offer watches or controls as the operator meant: after ？role=watch?token=x, read as a path,
    it was offered to control."""
    if meant is None:
        return offered == typed
    return offered in (typed, meant[0]) and _watches(offered) == _watches(meant[1])


def _watches(meaning: tuple | None) -> bool | None:
    """Whether an address read so (_meaning) only watches, as vcam serve decides: any ?role= but control."""
    if meaning is None:
        return None
    return dict(meaning[3]).get("role", "control") != "control"


def shown_host(parts: SplitResult) -> str:
    """An address's host as said to the operator: an IPv6 one in brackets, so its port does not read as part of
    it."""
    return url_host(parts.hostname or "")


def url_port(parts: SplitResult) -> int:
    """The port an address connects to: its own, else wss's 443 (a proxy) or vcam serve's default."""
    return parts.port or (443 if parts.scheme == "wss" else proto.DEFAULT_PORT)


def dialled(url: str) -> str:
    """The address connected to: a ws:// one without a port goes to vcam serve's default port, as every message
    here says, where the websockets library's own default (80, a web server's) was tried."""
    parts = urlsplit(url)
    if parts.scheme != "ws" or parts.port is not None:
        return url
    return urlunsplit(parts._replace(netloc=f"{parts.netloc.rstrip(':')}:{proto.DEFAULT_PORT}"))


def asks_to_watch(url: str) -> bool:
    """Whether the address asks vcam serve to let this client only watch: a `?role=` other than control, as the
    server reads it (any role but control watches), in the query the websockets library sends (as query_token)."""
    return _sent_query(url).get("role", ["control"])[0] != "control"


# what a server's address looks like, said after an address refused
_LOOKS = f"it looks like ws://HOST:PORT (default port {proto.DEFAULT_PORT})"
# a semicolon, as typed for a port's colon (the key beside it, without shift), ASCII or fullwidth
_SEMICOLON = f"[;{_fullwidth(';')}]"
_SCHEMES_MEANT = {"ws": "ws", "wss": "wss", "http": "ws", "https": "wss"}


def _meant_url(url: str) -> str | None:
    """The ws:// or wss:// address a refused one most likely meant, copied from a browser or typed bare
    (host:port), or None where none is sure to be a good one."""
    scheme, sep, rest = url.partition("://")
    mistyped = re.match(r"(?i)(wss?|https?)(:/*|/+)", url) if not sep else None
    if mistyped and ("@" in url or "/" in mistyped[2]):
        # ws:/user:pw@host, ws//…, ws:user:pw@host: the scheme mistyped, else read as a user ws (a mangled address);
        # wss//h:8765 (no @) was offered as ws://wss//h:8765, dialled at a host named wss
        meant = f"{_SCHEMES_MEANT[mistyped[1].lower()]}://{url[mistyped.end():]}"
    elif not sep:
        meant = "ws://" + url.removeprefix("//")
    elif scheme.lower() in _SCHEMES_MEANT:
        meant = f"{_SCHEMES_MEANT[scheme.lower()]}://{rest}"
    else:
        return None
    meant = unbracketed_ipv6(meant) or meant
    try:
        check_url(meant)
    except ValueError:
        return _semicolon_fixed(meant)  # h;8765, http://h;8765: a ; typed for the port's colon too
    return meant


def check_url(url: str) -> None:
    """ValueError for an address no server can have (not ws:// or wss://, no host, a port that is none), said
    before anything opens: trying it again every few seconds could never connect. One refused for a space or line
    break pasted before or after it is offered without them (refused as typed, ws://h:8765 with a space after it
    was told its port must be a number); one taken as typed is left as it is, dialled where it was."""
    try:
        _check_url(url)
    except ValueError:
        trimmed = url.strip()
        if trimmed == url or not trimmed:
            raise
        pasted = f"{said_url(url)!r} has a space or line break before or after it (pasted with it?)"
        try:
            _check_url(trimmed)
        except ValueError as e:
            raise ValueError(f"{pasted}; without them: {e}") from None
        raise ValueError(f"{pasted}; {_offer(trimmed)}") from None


def _check_url(url: str) -> None:
    shown = said_url(url)  # `http://user:pw@host` offered the fixed address with its password
    if not url.startswith(("ws://", "wss://")):
        meant = _meant_url(url)
        raise ValueError(f"{shown!r} is not a server address; {_offer(meant)}" if meant
                         else f"{shown!r} is not a server address; {_LOOKS}")
    if (bracketed := unbracketed_ipv6(url)) is not None:
        # read as host ':' port, it named no host or a port of its last group, and it was said as such
        raise ValueError(f"{shown!r}: an IPv6 address goes in brackets (a port after them): "
                         f"{_offer(bracketed)}")
    try:
        parts = urlsplit(url)
    except ValueError as e:  # an IPv6 address without its closing bracket
        # the library's words quote the host part as typed, its password and a ?token typed there with it
        why = "its host part holds a fullwidth / ? # @ or :" if "NFKC" in str(e) else str(e)
        raise ValueError(f"{shown!r} is not a server address ({why}); {_LOOKS}, an IPv6 host in brackets: "
                         "ws://[::1]:8765") from None
    try:
        port = parts.port
    except ValueError:  # not a number, or past 65535
        port = 0
    if not parts.hostname:
        raise ValueError(f"{shown!r} names no host; {_LOOKS}")
    if (stray := _stray_by_brackets(parts)) is not None:
        # urlsplit reads the host between the brackets and drops what is beside them: ws://[::1]x:80 dialled ::1
        text, port_typed = stray
        # ws://[::1];8765: the port's colon typed without shift (with no port after it, the stray ; said below)
        if re.match(_SEMICOLON, text) and not port_typed and (meant := _semicolon_fixed(url)) is not None:
            raise ValueError(f"{shown!r}: a semicolon follows the IPv6 address's brackets, where the port's colon "
                             f"goes (a : typed without shift?); {_offer(meant)}")
        fixed = _bracketed_form(parts, port_typed)
        offer = _offer(fixed)
        # a token there is given by --token, as every other token typed is; beside another pair (&role=watch), no
        # address is offered: left out with the token, that pair would be lost (a watcher offered to control)
        if holds_token(text):
            asked = _TOKEN_PAIR_LEFT_OUT.sub("", text).strip(_PAIR_STARTS + _fullwidth(_PAIR_STARTS) + " ")
            # a # after it would be offered too: refused when typed back, no address is offered
            offer = _LOOKS if asked or "#" in fixed else f"type {cam_command(fixed)}"
        raise ValueError(f"{shown!r}: {said_url(text)!r} stands beside the IPv6 address's brackets, where only a "
                         f"port goes, after a colon; {offer}")
    # looked up, it was "no host named h;8765", tried again and again; a # is said first (below), then this
    if re.search(_SEMICOLON, parts.hostname) and "#" not in url:
        raise ValueError(f"{shown!r}: no host name holds a semicolon" + _colon_meant(url, parts))
    if (why := _no_host(parts.hostname)) is not None:
        raise ValueError(f"{shown!r}: {why}; {_LOOKS}")
    port_typed = parts.netloc.rpartition(":")[2]
    if "@" not in parts.netloc and userinfo_at(url) >= 0:
        # ws://user:p/w@host:8765 is read as host "user" and port "p" (ws://user:12/w@host as port 12, and dialled
        # there): the port message would mislead
        passworded = ("a / ? or # in the user name or password ends the host part there; write them as %2F, %3F "
                      "and %23 (ws://user:p%2Fw@host:8765)")
        if port_typed.isdecimal():  # ws://host:8765/a@b: an @ in the path, or a password 8765/a for user host
            raise ValueError(f"{shown!r} reads two ways: an @ after the server's host and port goes as %40 "
                             f"(ws://host:8765/a%40b); read as user:password@ before the last @, {passworded}")
        raise ValueError(f"{shown!r}: {passworded}")
    if "#" in url:  # the websockets library refuses a fragment at each try, saying the address in full
        raise ValueError(f"{shown!r}: a # starts no part of a server's address, and the connection refuses it at "
                         "each try; write a # in the path, query or password as %23 (ws://host:8765/a%23b)")
    if port is not None and not 1 <= port <= 65535:
        raise ValueError(f"{shown!r}: the port must be a number from 1 to 65535 (vcam serve's first line names the "
                         f"one it listens on); {_LOOKS}")
    if parts.username is not None and parts.password is None:  # refused by the websockets library at each try
        raise ValueError(f"{shown!r}: a user name ({parts.username}@) goes with a password (user:password@), or "
                         "leave it out: vcam serve asks for its --token, which vcam cam gives with its own --token")


def _colon_meant(url: str, parts: SplitResult) -> str:
    """"; type/use ADDRESS" with the host part's last ; as the colon before a port (the key beside it, typed without
    shift), where that makes an address taken; else a line on what the address looks like."""
    if _colon_for_semicolon(url, parts) is None:  # ws://h; offered ws://h:, the port still missing
        return f"; no port follows it: {_LOOKS}"
    meant = _semicolon_fixed(url)
    return f"; {_LOOKS}" if meant is None else " (a : typed without shift?); " + _offer(meant)


def _semicolon_fixed(url: str) -> str | None:
    """`url` with its host part's last ; as the colon before a port, where that makes an address taken, else None:
    the one rule for the ; typed for a colon, whether ws:// was typed or not."""
    try:
        meant = _colon_for_semicolon(url, urlsplit(url))
        if meant is not None:
            _check_url(meant)
    except ValueError:
        return None
    return meant


def _colon_for_semicolon(url: str, parts: SplitResult) -> str | None:
    """`url` with its host part's last ; (or fullwidth ；) as the colon before a port, None where no port follows it."""
    split = re.split(rf"{_SEMICOLON}(?!.*{_SEMICOLON})", parts.netloc, maxsplit=1)
    if len(split) < 2 or not split[1]:
        return None
    return urlunsplit(parts._replace(netloc=":".join(split)))


def _offer(fixed: str) -> str:
    """The fixed address offered: as vcam cam ADDRESS --token TOKEN where it holds a token, which --token gives whole
    (?token%3D*** typed back, or *** put back after a ？ or ＆, gives vcam serve none), else to use as it is. One
    that would itself be refused (its token left out of a host read as an IPv6 zone, a user name left without its
    password) is not offered: what an address looks like is said instead."""
    if not holds_token(fixed):
        return _use(fixed)
    runnable = _without_token(fixed)
    try:
        _check_url(runnable)
    except ValueError:
        return _LOOKS
    return f"type {cam_command(fixed)}"


def _use(fixed: str) -> str:
    """The fixed address offered, its password hidden (said_url) and said where to put it back."""
    said = said_url(fixed)
    return f"use {said}" + put_back(fixed)


def _stray_by_brackets(parts: SplitResult) -> tuple[str, str] | None:
    """What stands beside a bracketed host before its colon (the x of [::1]x:80), with the port typed after that
    colon as typed (a port that is no number is the port check's to say), else None."""
    host_port = parts.netloc.rpartition("@")[2]
    if "[" not in host_port:
        return None
    before, _, rest = host_port.partition("[")
    after, _, port = rest.partition("]")[2].partition(":")
    return (before + after, port) if before + after else None


def _bracketed_form(parts: SplitResult, port: str) -> str:
    """The address with its bracketed host alone beside the port typed."""
    user = parts.netloc.rpartition("@")[0]
    netloc = f"{user}@" * bool(user) + url_host(parts.hostname or "") + (f":{port}" if port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def unbracketed_ipv6(url: str) -> str | None:
    """The address `url` meant where its host is an IPv6 address without brackets (ws://::1:8765, ws://fe80::2), else
    None. A last group of digits after an address is taken for the port (fe80::1:8765 is [fe80::1]:8765): an address
    that ends in a decimal group is rarer than a port copied after it."""
    scheme, _, rest = url.partition("://")
    netloc = re.split(r"[/?#]", rest, maxsplit=1)[0]
    user, at, host = netloc.rpartition("@")
    if "[" in host or host.count(":") < 2:
        return None
    address, _, last = host.rpartition(":")
    if last.isdigit() and 1 <= int(last) <= 65535 and _is_ipv6(address):  # ::1:18765 is no address, but with a port
        bracketed = f"[{address}]:{last}"
    elif _is_ipv6(host):
        bracketed = f"[{host}]"
    else:
        return None
    return f"{scheme}://{user}{at}{bracketed}{rest[len(netloc):]}"


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _no_host(host: str) -> str | None:
    """Why `host` can name no machine, else None: numbers and dots that are no IPv4 address (999.1.1.1, a typo of
    one; no name ends in a number; 10.0.0.1. with a name's final dot), or a space. Looked up, either failed as a
    name not found, every few seconds until --duration; a part between dots that is empty (gpu..box) or over 63
    characters, as an error of Python's own (UnicodeError: encoding with 'idna' codec failed)."""
    if any(c.isspace() for c in host):
        # said as the address is: the space may part the host from a token typed after it (h %3Ftoken=…)
        return f"{said_url(host)!r} holds a space, which no host name does"
    try:
        host.encode("idna")  # the lookup's first step: one that fails here failed each try with a codec's error
    except UnicodeError as e:
        return _unencodable(host, e)
    digits = host.removesuffix(".")
    if ":" in host or not all(label.isdigit() for label in digits.split(".")):
        return None
    try:
        socket.inet_aton(digits)  # what the lookup reads: 127.1 is 127.0.0.1 there
    except OSError:
        return f"{host} is no IPv4 address: four numbers from 0 to 255, as 192.168.1.20"
    if digits != host:  # a name's final dot: the lookup takes it for a name, and finds none
        return f"{host} is no IPv4 address: an address takes no final dot ({digits})"
    return None


def _unencodable(host: str, error: UnicodeError) -> str:
    """Why the lookup cannot encode `host`, naming the part at fault where one is empty or too long (else the
    codec's own reason: a character no name may hold, a mix of writing directions)."""
    labels = (host[:-1] if host.endswith(".") else host).split(".")  # one final dot: a fully qualified name
    for label in labels:
        if not label:
            return (f"{said_url(host)!r} has an empty part between its dots (a double dot, or a dot at its start): "
                    "a typo?")
        size = len(label) if label.isascii() else 4 + len(label.encode("punycode"))  # xn--…, as it is looked up
        if size > 63:
            form = "" if label.isascii() else " in the xn-- form it is looked up by"
            shown = said_url(label) if len(label) <= 24 else said_url(label)[:24] + "…"
            return f"{said_url(host)!r} is no host name: its part {shown!r} is {size} characters{form}, at most 63"
    why = str(error).rpartition("UnicodeError: ")[2].rstrip(")")
    return f"{said_url(host)!r} is no host name the lookup can take ({why})"
