"""No password or token typed in vcam cam's address is ever said, whatever the address and whether it is taken or
refused: a show's terminal is often on screen."""
from __future__ import annotations

import itertools
import random

import pytest

from vcam.remote.urls import cam_command, check_url, said_url

SECRET = "Qz7SECRETq"
SCHEMES = ["ws://", "wss://", "http://", "https://", "ws:/", "ws//", "", "WS://", "ftp://", "ws:"]
USERS = ["", f"vj:{SECRET}@", "vj@", "vj:p/w@", "vj:p%2Fw@", f":{SECRET}@"]
HOSTS = ["h", "gpu.box", "127.0.0.1", "[::1]", "::1", "fe80::1:8765", "999.1.1.1", "h ", "é.box", "gpu..box", "[::1"]
PORTS = ["", ":8765", ":0", ":99999", ":x", ":", ":8765 "]
PATHS = ["", "/", "/a@b", "/é", "/ "]
QUERIES = ["", f"?token={SECRET}", f"?token%3D{SECRET}", f"?to%6Ben={SECRET}", "?role=watch",
           f"?r%6Fle=watch&token={SECRET}", f"?TOKEN={SECRET}", f"#token={SECRET}", "?x=a@b", f"?token={SECRET} ",
           f"?token%3d{SECRET}&role=watch", f"?role=watch&token%3D{SECRET}", f"?token\uff1d{SECRET}",
           f"\uff1f\uff54\uff4f\uff4b\uff45\uff4e\uff1d{SECRET}",
           f"?role=watch&\uff34\uff2f\uff2b\uff25\uff2e={SECRET}", f"?role=watch\uff06token={SECRET}",
           f"\uff1frole=watch\uff06\uff54\uff4f\uff4b\uff45\uff4e\uff1d{SECRET}", f"/&token={SECRET}",
           f"%3Ftoken={SECRET}", f"\uff03token={SECRET}", f"?role=watch%26token={SECRET}", f"?a=1;token={SECRET}",
           f"\uff1ftoken={SECRET}\uff06role=watch", f"?token={SECRET} &role=watch", f"?token={SECRET}\u3000&role=watch",
           f"?a=1&token={SECRET}  &b=2", f";token={SECRET}?role=watch", f"/token={SECRET}?role=watch",
           f"/&token={SECRET}?role=watch", "?next=/token=abc&role=watch", "?x=a/token=b&y=2",
           f"?x=1#token={SECRET}&role=watch", f"?role=watch#token={SECRET}&x=1", "?role=watch&token=",
           "?token= &role=watch"]
PLACEHOLDER = "vcam cam ADDRESS --token TOKEN (ADDRESS: the address typed, without its token=…)"
PADS = [("", ""), ("", " "), (" ", ""), ("", "\n"), ("\t", " ")]


def _addresses() -> list[str]:
    rng = random.Random(7)  # the same addresses at each run: a failure is one to look at again
    made = {"".join(parts) for parts in itertools.product(SCHEMES[:3], USERS[:3], HOSTS[:5], PORTS[:4], PATHS[:2],
                                                          QUERIES[:4])}
    for _ in range(2000):
        before, after = rng.choice(PADS)
        made.add(before + "".join(rng.choice(part) for part in (SCHEMES, USERS, HOSTS, PORTS, PATHS, QUERIES)) + after)
    return sorted(made)


def test_no_secret_is_said_for_any_address_taken_or_refused():
    """?token%3DSECRET (its = written %3D) was said in full, on the connecting line and in every refusal."""
    said = []
    for url in _addresses():
        try:
            check_url(url)
        except ValueError as e:
            said.append((url, str(e)))
        said.append((url, said_url(url)))
        said.append((url, cam_command(url)))
    leaks = [(url, line) for url, line in said if SECRET in line]
    assert not leaks, leaks[:5]


def test_guard_every_address_offered_is_taken_and_gives_its_token_by_the_option_alone():
    """An offer typed back (its password put back) is refused for nothing and sends no token in its query: the
    token goes by --token, as the line says."""
    import re
    import shlex

    from vcam.remote.urls import query_token

    wrong = []
    for url in _addresses():
        try:
            check_url(url)
            said = "; type " + cam_command(url)  # taken, and its token refused: offered to type again
        except ValueError as e:
            said = str(e)
        offered = re.search(r"; type vcam cam (.*) --token TOKEN|; use (\S+)", said)
        if offered is None or offered[1] == "ADDRESS":  # no address offered: the one typed is asked for
            continue
        address = (shlex.split(offered[1])[0] if offered[1] else offered[2]).replace(":***@", f":{SECRET}@")
        try:
            check_url(address)
        except ValueError as e:
            wrong.append((url, address, str(e)))
        if "***" in address or query_token(address):
            wrong.append((url, address, "token left in"))
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("url, shown, command", [
    ("ws://h:8765/?token%3DSEC", "ws://h:8765/?token%3D***", "vcam cam ws://h:8765/ --token TOKEN"),
    ("ws://h:8765/?role=watch&token%3dSEC", "ws://h:8765/?role=watch&token%3d***",
     "vcam cam 'ws://h:8765/?role=watch' --token TOKEN"),
    ("ws://h:8765/?token\uff1dSEC", "ws://h:8765/?token\uff1d***", "vcam cam ws://h:8765/ --token TOKEN")])
def test_a_token_whose_equals_sign_is_written_percent_3d_is_hidden_and_left_out_of_the_command_offered(url, shown,
                                                                                                        command):
    """vcam serve reads no token there (it is refused as missing), but the secret was typed all the same; the
    fullwidth ＝ of an East Asian keyboard's was said in full."""
    assert said_url(url) == shown and cam_command(url) == command


@pytest.mark.parametrize("url, shown, command", [
    ("ws://h:8765/\uff1f\uff54\uff4f\uff4b\uff45\uff4e\uff1dSEC",
     "ws://h:8765/\uff1f\uff54\uff4f\uff4b\uff45\uff4e\uff1d***", "vcam cam ws://h:8765/ --token TOKEN"),
    ("ws://h:8765/\uff1ftoken=SEC", "ws://h:8765/\uff1ftoken=***", "vcam cam ws://h:8765/ --token TOKEN"),
    ("ws://vj:pw@h:8765/\uff1ftoken=SEC", "ws://vj:***@h:8765/\uff1ftoken=***",
     "vcam cam 'ws://vj:***@h:8765/' --token TOKEN (with the password where *** stands)"),
    ("ws://h:8765/?role=watch\uff06token=SEC", "ws://h:8765/?role=watch\uff06token=***",
     "vcam cam 'ws://h:8765/?role=watch' --token TOKEN"),
    ("ws://h:8765/\uff1ftoken=SEC\uff06role=watch", "ws://h:8765/\uff1ftoken=***\uff06role=watch",
     "vcam cam 'ws://h:8765/?role=watch' --token TOKEN"),
    ("ws://h:8765/?token=SEC\uff06role=watch", "ws://h:8765/?token=***\uff06role=watch",
     "vcam cam 'ws://h:8765/?role=watch' --token TOKEN"),
    ("ws://h:8765/?token=SEC\uff06role=watch&x=1", "ws://h:8765/?token=***\uff06role=watch&x=1",
     "vcam cam 'ws://h:8765/?role=watch&x=1' --token TOKEN"),
    ("ws://h:8765/#token=SEC", "ws://h:8765/#token=***", "vcam cam ws://h:8765/ --token TOKEN")])
def test_a_token_after_a_fullwidth_question_mark_is_offered_as_the_ascii_one_is(url, shown, command):
    """An address typed on an East Asian keyboard (ws://h:8765/？ｔｏｋｅｎ＝SEC) gives vcam serve no token, as a
    ?token= refused does: the line offered kept it as *** and said to put the token back there, where it is never
    read, and a token after a fullwidth ＆ was said in full. The pairs kept go as the server reads them: after ?token=
    the ＆role=watch was dropped with the token (reconnected as control), and after ？ it was kept, read as path."""
    assert said_url(url) == shown and cam_command(url) == command


@pytest.mark.parametrize("url, offered", [("ws://h:8765 ", "use ws://h:8765"), (" ws://h:8765", "use ws://h:8765"),
                                          ("ws://[::1]:80 ", "use ws://[::1]:80"),
                                          ("ws://vj:pw@h:8765 ", "use ws://vj:***@h:8765 (with the password where")])
def test_an_address_pasted_with_a_space_after_it_is_offered_without_it(url, offered):
    """ws://h:8765 with a space after it (a paste's) was told its port must be a number, with no address to use."""
    with pytest.raises(ValueError) as e:
        check_url(url)
    assert "space or line break before or after it" in str(e.value) and offered in str(e.value)
    assert "pw" not in str(e.value)


def test_a_token_in_an_address_pasted_with_a_space_after_it_is_offered_as_the_command_with_token():
    """' ws://h:8765/?token%3DSEC ' was offered ws://h:8765/?token%3D*** with the token put back, which gives vcam
    serve no token, and was quoted without the space after it that it was refused for."""
    with pytest.raises(ValueError) as e:
        check_url(" ws://h:8765/?token%3DSEC ")
    assert str(e.value) == "' ws://h:8765/?token%3D*** ' has a space or line break before or after it (pasted with " \
                           "it?); type vcam cam ws://h:8765/ --token TOKEN"


def test_an_address_with_a_space_inside_stays_refused_and_one_refused_without_its_spaces_says_why():
    with pytest.raises(ValueError, match="holds a space, which no host name does"):
        check_url("ws://h :8765")
    with pytest.raises(ValueError) as e:
        check_url(" ws://h:99999 ")
    assert "' ws://h:99999 ' has a space or line break before or after it (pasted with it?); without them: " \
           "'ws://h:99999'" in str(e.value) and "the port must be a number" in str(e.value), e.value


def test_a_password_before_a_fullwidth_question_mark_is_not_said_in_the_librarys_words():
    """The address parser's refusal quotes the host part as typed: ws://vj:SECRET@h？x said the password in full."""
    with pytest.raises(ValueError) as e:
        check_url(f"ws://vj:{SECRET}@h\uff1fx:80")
    assert SECRET not in str(e.value) and "its host part holds a fullwidth / ? # @ or :" in str(e.value), e.value


@pytest.mark.parametrize("url, offered", [
    (f"ws://h:8765/?next=/a?b&token={SECRET}", "vcam cam 'ws://h:8765/?next=/a?b' --token TOKEN"),
    (f"ws://h:8765/?name=a\uff06b&token={SECRET}", "vcam cam 'ws://h:8765/?name=a\uff06b' --token TOKEN"),
    (f"ws://h:8765/\uff1fx?token={SECRET}", "vcam cam 'ws://h:8765/\uff1fx' --token TOKEN"),
    (f"ws://h:8765/?token={SECRET}&role=watch&x=1", "vcam cam 'ws://h:8765/?role=watch&x=1' --token TOKEN"),
])
def test_the_line_offered_without_a_token_keeps_the_rest_of_the_address_as_typed(url, offered):
    """Each pair was split at every ? & # ？ ＆ and joined with &: a ? in a value was written &, and a path written
    as a query."""
    assert cam_command(url) == offered


def test_a_role_after_a_fullwidth_question_mark_gets_no_offer_that_controls():
    """ws://h:8765/？role=watch?token=SEC: the server reads the ？role=watch as the path (and controls), the operator
    meant to watch. It was offered ws://h:8765/？role=watch, which connects as a controller; the address typed is
    asked for, each fullwidth sign typed in ASCII, which watches."""
    from vcam.remote.urls import asks_to_watch

    command = cam_command(f"ws://h:8765/\uff1frole=watch?token={SECRET}")
    assert command == "vcam cam ADDRESS --token TOKEN (ADDRESS: the address typed, without its token=…, its " \
                      "fullwidth ？ ＆ ＃ ＝ typed as ? & # =)", command
    assert asks_to_watch("ws://h:8765/?role=watch") and not asks_to_watch("ws://h:8765/\uff1frole=watch")


def test_a_token_after_a_fullwidth_question_mark_and_its_role_is_left_out_before_the_role_is_read_as_meant():
    """ws://h:8765/？role=control?token=SEC: the server reads a path and controls, as meant, and was offered so;
    read as meant with the token still in, the role read "control?token=SEC" (which watches) and no address was
    offered. Where the role typed watches, no offer controls."""
    from vcam.remote.urls import asks_to_watch

    command = cam_command(f"ws://h:8765/\uff1frole=control?token={SECRET}")
    assert command == "vcam cam 'ws://h:8765/？role=control' --token TOKEN", command
    assert not asks_to_watch("ws://h:8765/\uff1frole=control")
    command = cam_command(f"ws://h:8765/\uff1frole=watch?token={SECRET}")
    assert command.startswith("vcam cam ADDRESS --token TOKEN"), command


def test_guard_a_role_before_a_fullwidth_ampersand_is_offered_as_meant_and_read_so():
    """A guard (offered so before too): vcam serve reads ?role=control＆token=SEC as one role, "control＆token=SEC"
    (which watches) and no token; the operator meant to control, with a token. The offer, read as the server
    reads it, controls, its token given by --token."""
    from vcam.remote.urls import asks_to_watch, query_token

    assert asks_to_watch(f"ws://h:8765/?role=control\uff06token={SECRET}")
    assert not query_token(f"ws://h:8765/?role=control\uff06token={SECRET}")
    command = cam_command(f"ws://h:8765/?role=control\uff06token={SECRET}")
    assert command == "vcam cam 'ws://h:8765/?role=control' --token TOKEN", command
    assert not asks_to_watch("ws://h:8765/?role=control")


@pytest.mark.parametrize("url, offered", [
    (f"h;8765/?token%3D{SECRET}", "type vcam cam ws://h:8765/ --token TOKEN"),
    (f"http://h;8765/\uff1ftoken={SECRET}", "type vcam cam ws://h:8765/ --token TOKEN"),
    (f"h;8765/?role=watch\uff06token={SECRET}", "type vcam cam 'ws://h:8765/?role=watch' --token TOKEN"),
])
def test_a_bare_address_with_a_semicolon_for_its_colon_offers_the_token_by_its_own_option(url, offered):
    """Typed without ws://, the address meant was offered with *** to put back where vcam serve never reads it
    (?token%3D***, after ？ or ＆)."""
    with pytest.raises(ValueError) as e:
        check_url(url)
    assert str(e.value).endswith(offered) and SECRET not in str(e.value), str(e.value)


def test_a_hash_with_a_semicolon_for_the_colon_is_said_first():
    """The ; slip was said alone, the # that the connection refuses at each try left out of it."""
    with pytest.raises(ValueError) as e:
        check_url(f"ws://h;8765#token={SECRET}")
    assert "a # starts no part of a server's address" in str(e.value) and SECRET not in str(e.value)


@pytest.mark.parametrize("url, shown, command", [
    ("ws://h:8765/&token=SEC", "ws://h:8765/&token=***", "vcam cam ws://h:8765/ --token TOKEN"),
    ("ws://h:8765/%3Ftoken=SEC", "ws://h:8765/%3Ftoken=***", "vcam cam ws://h:8765/ --token TOKEN"),
    ("ws://h:8765/\uff03token=SEC", "ws://h:8765/\uff03token=***", "vcam cam ws://h:8765/ --token TOKEN"),
    # in a value, as vcam serve reads it (role "watch&token=SEC"): the address typed is asked for without it
    ("ws://h:8765/?role=watch%26token=SEC", "ws://h:8765/?role=watch%26token=***", PLACEHOLDER),
    ("ws://h:8765/?a=1;token=SEC", "ws://h:8765/?a=1;token=***", PLACEHOLDER),
    pytest.param("ws://h:8765/?token=A&token=B&role=watch", "ws://h:8765/?token=***&token=***&role=watch",
                 "vcam cam 'ws://h:8765/?role=watch' --token TOKEN", id="guard-two-tokens"),
    pytest.param("ws://h:8765/?a=1&token=SEC&b=2", "ws://h:8765/?a=1&token=***&b=2",
                 "vcam cam 'ws://h:8765/?a=1&b=2' --token TOKEN", id="guard-token-between-pairs"),
])
def test_a_token_typed_after_any_pair_start_is_hidden_and_left_out_of_the_command_offered(url, shown, command):
    """A token after a path's /&, a %-written ? or &, a fullwidth ＃ or a ; gives vcam serve none, but it is the
    secret typed all the same: each was said in full on the connecting line and offered back."""
    assert said_url(url) == shown and cam_command(url) == command


def test_a_token_value_cut_by_an_at_sign_ends_at_a_fullwidth_ampersand_as_at_an_ascii_one():
    """ws://h:8765?token=ab@cd reads as a password 8765?token=ab for user h: the rest of the token was hidden up to
    an & only, so the ＆role=watch after it was hidden too, where the ASCII &role=watch was said."""
    assert said_url("ws://h:8765?token=ab@cd\uff06role=watch") == "ws://h:***@***\uff06role=watch"
    assert said_url("ws://h:8765?token=ab@cd&role=watch") == "ws://h:***@***&role=watch"


@pytest.mark.parametrize("url, offered", [
    ("wss://::1:8765/?token=SEC", "type vcam cam 'wss://[::1]:8765/' --token TOKEN"),
    ("ws://[::1]x:8765/?token=SEC&role=watch", "type vcam cam 'ws://[::1]:8765/?role=watch' --token TOKEN"),
    pytest.param("https://::1:8765/?token=SEC", "type vcam cam 'wss://[::1]:8765/' --token TOKEN",
                 id="guard-https"),  # so before too
])
def test_an_address_fixed_for_its_ipv6_brackets_is_offered_with_the_token_by_its_own_option(url, offered):
    """An IPv6 host without its brackets, or with a letter beside them, was offered `use wss://[::1]:8765/?token=***
    (with the token where *** stands)`: a line to edit by hand, where an address fixed otherwise is offered as the
    vcam cam command to type, its token given by --token."""
    with pytest.raises(ValueError) as e:
        check_url(url)
    assert str(e.value).endswith(offered) and "SEC" not in str(e.value), str(e.value)


@pytest.mark.parametrize("url, offered", [
    ("ws://[::1];8765", "use ws://[::1]:8765"),
    ("ws://[::1]\uff1b8765", "use ws://[::1]:8765"),
    ("ws://[::1];8765/?token=SEC&role=watch", "type vcam cam 'ws://[::1]:8765/?role=watch' --token TOKEN"),
])
def test_a_semicolon_after_an_ipv6_addresss_brackets_is_offered_as_the_ports_colon(url, offered):
    """ws://[::1];8765 was told ';8765' stands beside the brackets and offered ws://[::1], without its port (dialled
    at the default port, not the one typed)."""
    with pytest.raises(ValueError) as e:
        check_url(url)
    assert "(a : typed without shift?)" in str(e.value) and str(e.value).endswith(offered), e.value
    assert "SEC" not in str(e.value)


@pytest.mark.parametrize("url, offered", [
    ("ws://[::1]&token=SEC", "type vcam cam 'ws://[::1]' --token TOKEN"),
    ("ws://[::1]%3Ftoken=SEC", "type vcam cam 'ws://[::1]' --token TOKEN"),
    ("ws://vj:pw@[::1]&token=SEC", "type vcam cam 'ws://vj:***@[::1]' --token TOKEN (with the password where *** "
                                   "stands)"),
    # the role asked with it would be lost: no address is offered
    ("ws://[::1]&token=SEC&role=watch", "it looks like ws://HOST:PORT (default port 8765)"),
])
def test_a_token_beside_an_ipv6_addresss_brackets_is_offered_by_its_own_option(url, offered):
    """ws://[::1]&token=SEC was offered `use ws://[::1]`, without the --token TOKEN that every other token typed is
    offered with: typed back, it connected with no token and was refused again."""
    with pytest.raises(ValueError) as e:
        check_url(url)
    assert str(e.value).endswith(offered) and "SEC" not in str(e.value) and "pw" not in str(e.value), e.value


def test_a_space_in_a_host_is_said_with_the_token_typed_after_it_hidden():
    """'h %3Ftoken=SEC' holds a space: the host was quoted as typed, the token with it."""
    with pytest.raises(ValueError) as e:
        check_url(f"ws://h %3Ftoken={SECRET}")
    assert "holds a space" in str(e.value) and SECRET not in str(e.value), str(e.value)


def test_no_offer_is_itself_refused():
    """A token left out of a host read as an IPv6 zone (ws://::1%3Ftoken=SEC) was offered as ws://[::1, which is
    no address; a user left without its password (ws://vj@[::1];8765?token=…) as one refused for that."""
    for url in (f"ws://::1%3Ftoken={SECRET}", f"ws://vj@[::1];8765?token={SECRET}\uff06role=watch",
                f"ws://[::1]&token={SECRET}#x"):
        with pytest.raises(ValueError) as e:
            check_url(url)
        assert "it looks like ws://HOST:PORT" in str(e.value) and SECRET not in str(e.value), str(e.value)


def test_guard_a_token_with_spaces_pasted_after_it_is_offered_without_them():
    """A guard (offered so before too): the spaces after a token (ideographic ones after a fullwidth one) left at
    the end of the address offered would have it refused when typed back."""
    assert cam_command("ws://h:8765?token=\uff33\uff25\uff23\u3000 ") == "vcam cam ws://h:8765 --token TOKEN"
    assert cam_command(f"ws://vj:{SECRET}@h:8765?token={SECRET}  ") == \
        "vcam cam 'ws://vj:***@h:8765' --token TOKEN (with the password where *** stands)"


def test_guard_pairs_typed_after_a_fullwidth_token_are_read_as_the_token_was():
    """A guard (offered so before too): ？token=SEC＆role=watch, typed on a fullwidth keyboard, gives vcam serve
    neither pair: the command offered asks to watch, as the operator typed; typed back as it stood, it would
    connect as a controller."""
    from vcam.remote.urls import asks_to_watch

    command = cam_command("ws://h:8765/\uff1ftoken=SEC\uff06role=watch")
    assert command == "vcam cam 'ws://h:8765/?role=watch' --token TOKEN"
    assert asks_to_watch("ws://h:8765/?role=watch") and not asks_to_watch("ws://h:8765/\uff06role=watch")


def _read_as_meant(url: str) -> tuple:
    """What vcam serve reads from `url` (the client's own query reading), but its token: host, port, path without
    its token pair, whether it watches, every other pair. A fullwidth ？＆＃＝ is read as the ASCII one typed, a #
    as the query's &, as the operator meant them."""
    import re
    import unicodedata
    from urllib.parse import parse_qsl, urlsplit

    from vcam.remote.urls import _sent_query, asks_to_watch, url_port

    url = url.strip().translate({ord(c) + 0xFEE0: c for c in "?&#="})
    url = url.replace("#", "&" if "?" in url.partition("#")[0] else "?", 1)
    parts = urlsplit(url)
    path = re.sub(r"(?i)([/;&]|%3f|%23)token=[^/?]*", lambda m: "/" * (m[1] == "/"), parts.path).rstrip("/")
    def kept(pairs) -> list:  # but a token: one named by a %3D or fullwidth =, or after a ; in a value
        return [(n, re.split("(?i);token=", v)[0]) for n, v in pairs
                if unicodedata.normalize("NFKC", n).lower().partition("=")[0] not in ("token", "role")]

    typed = kept(parse_qsl(parts.query, keep_blank_values=True))
    sent = sorted(kept((n, v) for n, vs in _sent_query(url).items() for v in vs))
    return parts.hostname, url_port(parts), path, asks_to_watch(url), typed, sent


def test_every_offer_asks_for_what_the_address_typed_asked_for():
    """Left out of the offer, a token took what stood around it: ?token=SEC &role=watch was offered without its
    role (connecting as a controller), /path;token=SEC?role=watch without its query, ?next=/token=abc&role=watch
    with its role in next's value, ?x=1#token=SEC&role=watch with a second ?; an empty ?token= stayed in."""
    import shlex

    from vcam.remote.urls import check_url as taken
    from vcam.remote.urls import query_token

    wrong = []
    for url in _addresses():
        try:
            taken(url)
        except ValueError:
            continue
        command = cam_command(url)
        if "ADDRESS" in command:  # no address offered: the one typed, without its token, is asked for
            continue
        offered = shlex.split(command)[2].replace(":***@", f":{SECRET}@")
        if SECRET in command or query_token(offered):
            wrong.append((url, offered, "token left in"))
        elif _read_as_meant(offered) != _read_as_meant(url):
            wrong.append((url, offered, _read_as_meant(offered), _read_as_meant(url)))
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("url, command", [
    pytest.param(f"ws://h:8765/?token={SECRET} &role=watch", "vcam cam 'ws://h:8765/?role=watch' --token TOKEN",
                 id="guard-space-before-and"),
    pytest.param(f"ws://h:8765?token={SECRET}\u3000&role=watch", "vcam cam 'ws://h:8765?role=watch' --token TOKEN",
                 id="guard-ideographic-space-before-and"),
    pytest.param(f"ws://h:8765/?a=1&token={SECRET}  &b=2", "vcam cam 'ws://h:8765/?a=1&b=2' --token TOKEN",
                 id="guard-spaces-between-pairs"),
    (f"ws://h:8765/path;token={SECRET}?role=watch", "vcam cam 'ws://h:8765/path?role=watch' --token TOKEN"),
    (f"ws://h:8765/a/token={SECRET}?role=watch", "vcam cam 'ws://h:8765/a/?role=watch' --token TOKEN"),
    pytest.param(f"ws://h:8765/?x=1#token={SECRET}&role=watch",
                 "vcam cam 'ws://h:8765/?x=1&role=watch' --token TOKEN", id="guard-hash-in-open-query"),
    pytest.param("ws://h:8765/?role=watch&token=", "vcam cam 'ws://h:8765/?role=watch' --token TOKEN",
                 id="guard-empty-token-last"),
    pytest.param("ws://h:8765/?token= &role=watch", "vcam cam 'ws://h:8765/?role=watch' --token TOKEN",
                 id="guard-empty-token-first"),
])
def test_what_stands_around_a_token_left_out_is_kept(url, command):
    """The spaces between a token and the next &, a ? after a token in the path, a # where a query is open: the
    offer lost the role or the query after them, or wrote a second ?; an empty token stayed in it."""
    assert cam_command(url) == command


@pytest.mark.parametrize("url", ["ws://[::1]&token=SEC", "ws://[::1]%3Ftoken=SEC", "wss://[::1]%2Ftoken=SEC",
                                 "ws://[fe80::1%25eth0]%3fTOKEN=SEC/a"])
def test_a_token_beside_an_ipv6_addresss_brackets_is_hidden_where_the_stray_text_is_quoted(url):
    """'&token=SEC' stands beside the IPv6 address's brackets: the stray text was quoted with the token in full."""
    with pytest.raises(ValueError) as e:
        check_url(url)
    assert "SEC" not in str(e.value) and "token=***' stands beside" in str(e.value).replace("TOKEN", "token"), e.value


@pytest.mark.parametrize("url", ["ws://h:8765/?role=control%26token=SEC", "ws://h:8765/?next=watch%23TOKEN=SEC;y"])
def test_a_token_written_inside_a_querys_value_gets_no_offer_that_reads_otherwise(url):
    """vcam serve reads role "control&token=SEC" (which watches): the offer ?role=control controlled, and
    ?next=watch%23TOKEN=SEC;y was offered next=watch."""
    assert cam_command(url) == PLACEHOLDER


@pytest.mark.parametrize("url, command", [
    ("ws://h:8765/?token=S&role=control ", "vcam cam 'ws://h:8765/?role=control ' --token TOKEN"),
    ("ws://h:8765/?token=S&role=control\u3000", "vcam cam 'ws://h:8765/?role=control\u3000' --token TOKEN"),
])
def test_guard_a_space_after_the_rest_of_the_address_stays_in_the_offer(url, command):
    """A guard (offered so on main too): vcam serve reads role "control " (which watches); an offer without the
    space would ask to control."""
    assert cam_command(url) == command


@pytest.mark.parametrize("url, command", [
    ("ws://h:8765/%2Ftoken=S?role=watch", "vcam cam 'ws://h:8765/?role=watch' --token TOKEN"),
    ("ws://h:8765/\uff0ftoken=S?role=watch", "vcam cam 'ws://h:8765/?role=watch' --token TOKEN"),
])
def test_a_percent_written_slash_before_a_token_is_left_out_with_it(url, command):
    """A %2F or ／ before token= was offered as a step of the path: ws://h:8765//?role=watch."""
    assert cam_command(url) == command


def test_an_address_fixed_with_a_space_in_its_path_is_offered_with_it():
    """The address fixed was compared with itself trimmed of its spaces, and the address typed asked for in place
    of the one fixed."""
    with pytest.raises(ValueError) as e:
        check_url("gpu.box/a/ &token=a b")
    assert str(e.value).endswith("type vcam cam 'ws://gpu.box/a/ ' --token TOKEN"), e.value
