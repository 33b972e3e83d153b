"""Edges of what `vcam serve` and `vcam cam` say to each other that mutation testing found no test for: each test
fails where the code is changed in the way its docstring says."""
import threading
from types import SimpleNamespace
from urllib.parse import urlsplit

import numpy as np
import pytest

from helpers import wait_for
from vcam.remote import protocol as proto
from vcam.sizes import MAX_SIDE

SIZE = (64, 48)


def _picture(width: int = SIZE[0], height: int = SIZE[1], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), np.uint8)


def _input_frame(jpeg: bytes, seq: int = 1) -> bytes:
    return proto.INPUT_HEADER.pack(proto.INPUT_MAGIC, seq, 0.0, *SIZE) + jpeg


def _jpeg(picture: np.ndarray) -> bytes:
    return proto.encode_input(picture, 1, 0.0)[proto.INPUT_HEADER.size:]


def _segments(jpeg: bytes) -> list[tuple[int, int]]:
    """(marker, offset) of each segment before the scan."""
    out, i = [], 2
    while jpeg[i + 1] != 0xDA:
        out.append((jpeg[i + 1], i))
        i += 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3])
    return out


# --- the token --------------------------------------------------------------------------------------------------


def test_a_token_of_words_with_a_tab_a_tilde_and_latin_1_letters_is_taken_as_given():
    """All of these fit the HTTP header that carries the token: a passphrase of two words (' ' <= c turned
    ' ' < c), one ending in '~' (c <= '~' turned c < '~'), or holding a Latin-1 letter at either end of that range
    ('\\x80' <= c, c <= '\\xff' turned strict) was refused at the start of both ends as a token no header carries;
    one holding a tab (c != '\\t' turned ==) too."""
    token = "two words\tand~ \x80\xe9\xff"
    assert proto.given_token(None, {proto.TOKEN_ENV: f" {token}\n"}) == token
    assert proto.given_token(token, {}) == token


# --- frames from the server -------------------------------------------------------------------------------------


@pytest.mark.parametrize("width, height", [(MAX_SIDE, 1080), (1080, MAX_SIDE)])
def test_a_frame_of_the_largest_side_a_stream_has_is_shown_not_refused_as_damaged(width, height):
    """A 1920x1080 stream (and a portrait 1080x1920 one) is within MAX_SIDE: `width <= MAX_SIDE` turned `<` (or
    the height's) skipped every frame of it on the camera as 'damaged frame (it claims 1920x1080 ...)'."""
    picture = np.full((height, width, 3), 90, np.uint8)
    header = proto.FrameHeader(7, 3, 2, 12, 1.5, width, height)
    got, rgb = proto.decode_frame(proto.encode_frame(picture, header))
    assert got == header and rgb.shape == (height, width, 3)
    assert abs(int(rgb.mean()) - 90) <= 2


# --- text messages ----------------------------------------------------------------------------------------------


def test_a_command_of_exactly_the_longest_text_a_server_reads_reaches_it():
    """MAX_TEXT is the longest message taken, not the first refused: `len > limit` turned `>=` refused a command
    of exactly that length as 'message too long (8192 characters, at most 8192)'."""
    message = proto.text("command", line="")
    message = proto.text("command", line="x" * (proto.MAX_TEXT - len(message)))
    assert len(message) == proto.MAX_TEXT
    assert proto.parse_text(message)["line"] == "x" * (proto.MAX_TEXT - len(proto.text("command", line="")))
    with pytest.raises(proto.ProtocolError, match=f"message too long \\({proto.MAX_TEXT + 1} characters"):
        proto.parse_text(message[:-2] + 'x"}')


# --- JPEGs a sender's encoder may make --------------------------------------------------------------------------


def test_an_input_frame_whose_jpeg_pads_a_marker_with_fill_bytes_is_taken():
    """JPEG lets any number of 0xFF fill bytes stand before a marker (some encoders pad with them): where the fill
    byte was not skipped (its branch dropped), the size was not found and the sender was dropped for 'a damaged
    input frame'."""
    picture = _picture()
    jpeg = _jpeg(picture)
    padded = jpeg[:2] + b"\xff\xff\xff" + jpeg[2:]
    _, rgb = proto.decode_input(_input_frame(padded), SIZE)
    assert np.array_equal(rgb, proto.decode_input(_input_frame(jpeg), SIZE)[1])


def test_an_input_frame_with_an_empty_comment_segment_is_taken():
    """A segment of length 2 (a comment with no text: its length counts only itself) is a whole one: `length < 2`
    turned `<= 2` (or `< 3`) read it as a broken JPEG, and the sender was dropped for 'a damaged input frame'."""
    jpeg = _jpeg(_picture())
    with_comment = jpeg[:2] + b"\xff\xfe\x00\x02" + jpeg[2:]
    assert proto.jpeg_size(with_comment) == SIZE
    assert proto.decode_input(_input_frame(with_comment), SIZE)[1].shape == (SIZE[1], SIZE[0], 3)


def test_an_input_frame_cut_inside_its_size_is_refused_as_damaged_not_failed_on():
    """A frame cut short in the middle of its start-of-frame segment names no size: the bound on it dropped (`if
    False`, or `i + 9 > len` turned `i - 9 > len`) read past the end, an IndexError where the sender's connection
    is told what was wrong with its frame."""
    jpeg = _jpeg(_picture())
    sof = next(i for marker, i in _segments(jpeg) if marker == 0xC0)
    for cut in range(sof + 4, sof + 9):
        assert proto.jpeg_size(jpeg[:cut]) is None, cut
        with pytest.raises(proto.ProtocolError, match="a damaged input frame"):
            proto.decode_input(_input_frame(jpeg[:cut]), SIZE)


def test_a_greyscale_input_frame_comes_out_grey_in_rgb():
    """A greyscale JPEG has one plane: sent down the YCbCr path (its test dropped), it failed with a ValueError
    that no sender is told, where it is decoded to RGB as it was sent."""
    import cv2

    grey = np.tile(np.linspace(0, 255, SIZE[0], dtype=np.uint8), (SIZE[1], 1))
    ok, jpeg = cv2.imencode(".jpg", grey, [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    _, rgb = proto.decode_input(_input_frame(jpeg.tobytes()), SIZE)
    assert rgb.shape == (SIZE[1], SIZE[0], 3)
    assert np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 1], rgb[..., 2])
    assert np.abs(rgb[..., 0].astype(int) - grey).max() <= 8


def test_a_colour_input_frame_comes_out_as_libjpeg_decodes_it():
    """The YCbCr planes are converted as libjpeg does (`not in _YCBCR` turned `in` sent them through swscale's
    conversion, its chroma half a pixel off: up to 78 levels away on a noisy picture, where libjpeg's own
    decoding of the same JPEG is within 3)."""
    import cv2

    jpeg = _jpeg(_picture())
    libjpeg = cv2.cvtColor(cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    _, rgb = proto.decode_input(_input_frame(jpeg), SIZE)
    assert np.abs(rgb.astype(int) - libjpeg).max() <= 4


# --- the server's address as the operator types it --------------------------------------------------------------


@pytest.mark.parametrize("port", [1, 65535])
def test_an_address_on_the_first_or_last_port_is_taken(port):
    """1 and 65535 are ports a server can listen on (a tunnel's forwarded port may be either): `1 <= port` turned
    `1 < port` (or `2 <=`), or `port <= 65535` turned `<`, refused the address at the start as 'the port must be a
    number from 1 to 65535', which names the very port typed."""
    from vcam.remote.urls import check_url, dialled, url_port

    url = f"ws://gpu-box:{port}"
    check_url(url)
    assert dialled(url) == url and url_port(urlsplit(url)) == port


# --- the blocks vcam cam gathers --------------------------------------------------------------------------------


def test_a_block_that_outlasts_the_cap_is_said_as_the_servers_second_block_begins():
    """The stream's first block is short (6 frames); its second gives the server's block length, and the line comes
    then, before that block plays: `blocks_seen < 2` turned `<= 2` (or `< 3`) said it a block later, the camera
    already dropping frames of the block it could have warned of."""
    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.remote.blocks import Blocks

    said: list[str] = []
    blocks = Blocks(Pacer(PacerSettings(fps=2.0, max_latency=4.0)), said.append)
    frame = np.zeros((4, 4, 3), np.uint8)
    for index in range(6):
        header = proto.FrameHeader(index, 0, index, 6, 0.0, 4, 4)
        blocks.add(header, frame)
        blocks.end_if_last(header)
    assert said == []
    blocks.add(proto.FrameHeader(6, 1, 0, 12, 0.0, 4, 4), frame)
    assert len(said) == 1 and said[0].startswith("at 2 fps a block of 12 generated frames takes longer than")


def test_frames_smaller_than_the_outputs_are_said_to_be_scaled_up_once_for_each_size():
    """vcam cam recorded a tiny server's 112x64 frames at its default 832x480, scaled up, without a word."""
    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.remote.blocks import Blocks

    said: list[str] = []
    blocks = Blocks(Pacer(PacerSettings()), said.append, out_size=(832, 480))
    for block, (w, h) in enumerate([(112, 64), (112, 64), (832, 480), (64, 32)]):
        for index in range(2):
            header = proto.FrameHeader(2 * block + index, block, index, 2, 0.0, w, h)
            blocks.add(header, np.zeros((h, w, 3), np.uint8))
            blocks.end_if_last(header)
    assert said == ["the server makes 112x64 frames: scaled up to the outputs' 832x480, softer (--size 112x64 gives "
                    "them as made)",
                    "the server makes 64x32 frames: scaled up to the outputs' 832x480, softer (--size 64x32 gives them "
                    "as made)"]


@pytest.mark.parametrize("fit, said", [("crop", True), ("stretch", True), ("letterbox", False)])
def test_frames_smaller_in_one_side_are_said_to_be_scaled_up_where_the_fit_scales_them(fit, said):
    """Frames of 832x240 cropped or stretched to 832x480 are doubled in height: nothing was said, as they were not
    smaller in both sides. Letterboxed, they keep their size between black bars."""
    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.remote.blocks import Blocks

    heard: list[str] = []
    blocks = Blocks(Pacer(PacerSettings()), heard.append, out_size=(832, 480), fit=fit)
    header = proto.FrameHeader(0, 0, 0, 1, 0.0, 832, 240)
    blocks.add(header, np.zeros((240, 832, 3), np.uint8))
    blocks.end_if_last(header)
    assert heard == (["the server makes 832x240 frames: scaled up to the outputs' 832x480, softer (--size 832x240 "
                      "gives them as made)"] if said else [])


# --- the frames vcam serve sends --------------------------------------------------------------------------------


def test_the_server_says_the_first_three_frames_it_cannot_encode_and_numbers_the_rest_on():
    """Frames that cannot be encoded are said up to ERRORS_SAID (`<=` turned `<` said two), then counted; the
    frames of the block that can go still go, numbered on from the last sent, and a block put without a number is
    the one after the last, the first 0 (`block + 1` turned `- 1` sent the camera's block numbers backwards: a
    freeze named by its block landed on the wrong frame). Its bytes a frame is a running mean of the frames sent,
    and once closed its loop ends."""
    from vcam.remote.encoding import BlockEncoder

    offered, said = [], []
    encoder = BlockEncoder(80, lambda: [SimpleNamespace(offer=offered.append)], said.append)
    runs = threading.Thread(target=encoder.run, daemon=True)
    runs.start()
    try:
        good, bad = np.zeros((16, 16, 3), np.uint8), np.zeros((16, 16, 2), np.uint8)  # no RGB picture
        encoder.put([good])  # a show's first block, published without a number
        encoder.put([bad] * 5 + [good], block=5)
        encoder.put([good, good])
        assert wait_for(lambda: len(offered) == 4)
    finally:
        encoder.close()
        runs.join(30)
    assert not runs.is_alive()  # closed, its loop ends
    assert len(said) == BlockEncoder.ERRORS_SAID and all("a frame could not be sent to clients" in m for m in said)
    headers = [proto.decode_frame(m)[0] for m in offered]
    assert [(h.seq, h.block, h.index, h.count) for h in headers] == [(0, 0, 0, 1), (1, 5, 5, 6), (2, 6, 0, 2),
                                                                      (3, 6, 1, 2)]
    # the status line's bytes a frame: the first frame's size, then a running mean that leans on the past
    mean = float(len(offered[0]))
    for message in offered[1:]:
        mean = 0.9 * mean + 0.1 * len(message)
    assert encoder.bytes_per_frame == pytest.approx(mean)


def test_a_block_whose_last_frame_was_lost_plays_as_the_next_block_begins_under_its_own_number():
    """Where a block's last frame never comes, the next block's first frame ends it: that push dropped (or its test
    turned `_number is None`), its frames waited and went on screen with the next block's, under the next block's
    number, so that a freeze the server named by the lost block's frames landed on no frame."""
    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.remote.blocks import Blocks

    pacer = Pacer(PacerSettings())
    pushed: list[tuple[int, list[int]]] = []
    pacer.push = lambda frames, number, indices: pushed.append((number, list(indices)))
    blocks = Blocks(pacer)
    frame = np.zeros((4, 4, 3), np.uint8)
    for index in range(11):  # the 12th is lost on the way
        header = proto.FrameHeader(index, 3, index, 12, 0.0, 4, 4)
        blocks.add(header, frame)
        blocks.end_if_last(header)
    assert pushed == []
    blocks.add(proto.FrameHeader(12, 4, 0, 12, 0.0, 4, 4), frame)
    assert pushed == [(3, list(range(11)))]


def test_a_link_that_keeps_dropping_mid_block_learns_no_gap_from_its_drops():
    """Three drops mid-block, each after a 20 s stall, between blocks that come every second: the wait up to each
    drop (the push at the drop taken as a block: `if not gap: return` dropped) or across it (`gaps.ended()` dropped)
    was learned as the server's pace, and the next stall read STALLED only after 40 s, the fallback image held
    back as long, where it reads so after 5 s."""
    from test_remote_stalls import _blocks, _paced, _part_of_a_block, _pong, _wait

    link, _, now = _paced()
    link._receive(_pong())  # a server that tells no pace of its own
    _blocks(link, now, [1.0] * 2)
    for _ in range(3):
        _part_of_a_block(link, now, 20.0)
        link._receive(_pong())  # connected again
        _blocks(link, now, [])  # its first block
    assert _wait(link, now, 10.0)[:1] == [6.0]
