"""Commands from the network name files only in the folders the show shares (--media, else the show's folder);
the console, MIDI and the show's own presets name any file, as before."""
import json
import os
import platform
import threading
import unicodedata

import pytest
from websockets.sync.client import connect

from helpers import RecordingProducer, wait_for
from vcam.cli import main
from vcam.control.actions import Origin, SetInput
from vcam.control.commands import CommandError, parse
from vcam.control.controller import Controller, ShowState
from vcam.control.media import MediaFolders, Refused
from vcam.control.show import parse_show
from vcam.errors import VcamError
from vcam.live.inputs.switch import check_input
from vcam.live.run import _media
from vcam.live.settings import RunOptions
from vcam.remote.attach import SenderSwitch, attachment
from vcam.remote.server import ServeSettings


@pytest.fixture
def tree(tmp_path):
    """A shared folder with a clip, a secret beside it, and links from inside that lead in and out."""
    shared, outside = tmp_path / "shared", tmp_path / "private"
    shared.mkdir()
    outside.mkdir()
    (shared / "clip.mp4").write_bytes(b"clip")
    (outside / "secret.png").write_bytes(b"secret")
    (shared / "out.png").symlink_to(outside / "secret.png")
    (shared / "away").symlink_to(outside)
    (shared / "in.mp4").symlink_to(shared / "clip.mp4")
    return shared, outside


def admitted(media, line):
    return str(media.admit(parse(line)))


def test_a_file_in_a_shared_folder_goes_through_resolved(tree):
    shared, _ = tree
    media = MediaFolders.chosen([str(shared)], None)
    assert admitted(media, f"input file:{shared}/clip.mp4") == f"input file:{shared}/clip.mp4"
    assert admitted(media, "input file:clip.mp4 @bar") == f"input file:{shared}/clip.mp4 @bar"  # the first folder's
    assert admitted(media, f"input file:{shared}/in.mp4") == f"input file:{shared}/clip.mp4"  # what gets opened
    # not looked at: only the path is checked, so a missing clip in the folder is the controller's to report
    assert admitted(media, "input image:later.png") == f"input image:{shared}/later.png"


@pytest.mark.parametrize("path", ["{outside}/secret.png", "{shared}/../private/secret.png", "../private/secret.png",
                                  "{shared}/out.png", "{shared}/away/secret.png", "away/secret.png", "/etc/passwd",
                                  "{outside}/missing.png"])
def test_paths_that_lead_out_of_the_shared_folders_are_refused(tree, path):
    shared, outside = tree
    media = MediaFolders.chosen([str(shared)], None)
    target = path.format(shared=shared, outside=outside)
    with pytest.raises(CommandError) as refused:
        media.admit(parse(f"input image:{target}"))
    message = str(refused.value)
    # the same words whether the file exists or not: a refusal tells nothing about the paths outside
    assert message == (f"input image:{target}: a command from the network names files only in the folders this "
                       "show shares (a name relative to the first); to share another folder, start vcam serve (or "
                       "vcam run) with --media DIR (repeatable)")
    assert str(shared) not in message.removeprefix(f"input image:{target}")  # the server's own paths stay there
    # the operator's account names what the path is here, and the folders
    assert refused.value.detail == (f"input image:{target}: {os.path.realpath(os.path.join(shared, target))} is "
                                    f"outside the folders shared with the network ({shared}; --media DIR shares "
                                    "others)")


def test_without_a_shared_folder_the_network_names_no_file(tree):
    shared, _ = tree
    with pytest.raises(CommandError, match="shares no folder with the network.*--media DIR"):
        MediaFolders().admit(parse(f"input file:{shared}/clip.mp4"))


def test_cameras_and_other_commands_pass_and_a_camera_path_must_be_a_capture_device(tree):
    media = MediaFolders.chosen([str(tree[0])], None)
    for line in ("input camera", "input camera:1", "input camera:/dev/video2", "input none", "input net",
                 "preset 2", "prompt file:/etc/passwd"):
        assert admitted(media, line) == str(parse(line))
    with pytest.raises(Refused, match="camera is named by its index") as refused:
        media.admit(parse(f"input camera:{tree[0]}/out.png"))
    assert refused.value.detail == f"input camera:{tree[0]}/out.png: {tree[1]}/secret.png is no capture device"


def test_the_shared_folders_default_to_the_shows_and_must_exist(tree, tmp_path):
    shared, outside = tree
    assert MediaFolders.chosen(None, str(shared / "show.yaml")).folders == (str(shared),)
    assert MediaFolders.chosen(None, None).folders == ()
    # given, they replace the show's; a folder reached through a link is kept resolved, and once
    both = MediaFolders.chosen([str(outside), str(shared / "away")], str(shared / "show.yaml"))
    assert both.folders == (str(outside),)
    with pytest.raises(VcamError, match="no such folder"):
        MediaFolders.chosen([str(tmp_path / "gone")], None)


def make_controller(media, check=None):
    show = parse_show("presets:\n  - {name: a, prompt: a city}\n  - {name: b, prompt: a forest}\n", "show.yaml")
    producer = RecordingProducer()
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), producer, threading.Event(),
                     lambda text: None, media=media, check_input=check)
    return ctl, producer


def test_the_controller_holds_the_network_to_the_folders_and_not_the_console(tree):
    shared, outside = tree
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
    secret = f"input image:{outside}/secret.png"
    with pytest.raises(Refused, match="^input image:.*--media DIR"):  # its caller tells the sender and the operator
        ctl.handle_line(secret, "net 10.0.0.2:5000", network=True)
    assert ctl.state.input == "none" and producer.actions == []
    # the reply says the path as it was asked; what is opened and logged is the whole one
    assert ctl.handle_line("input file:clip.mp4", "osc", network=True) == "input file:clip.mp4 from the next block"
    # the operator at the console names any file, as before
    assert ctl.handle_line(secret, "stdin") == f"{secret} from the next block"
    assert producer.actions == [SetInput(f"file:{shared}/clip.mp4"), SetInput(f"image:{outside}/secret.png")]
    assert ctl.state.input == f"image:{outside}/secret.png"


def test_a_network_line_hears_its_own_path_back_whatever_the_reply(tree):
    """Opened through a link, or a clip that does not open or is not there: the reply names the path as the
    sender wrote it, never the shared folder's place on this machine."""
    import cv2
    import numpy as np

    shared, _ = tree
    cv2.imwrite(str(shared / "still.png"), np.zeros((8, 8, 3), np.uint8))
    (shared / "look.png").symlink_to(shared / "still.png")
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None), check=check_input)
    net = "net 10.0.0.2:5000"
    assert ctl.handle_line("input image:./look.png", net, network=True) == \
        "input image:./look.png from the next block"
    broken = ctl.handle_line("input file:in.mp4", net, network=True)  # not a video: its own name, twice
    assert broken.startswith("error: cannot decode in.mp4 as a video") and "ffmpeg -i in.mp4 " in broken
    missing = ctl.handle_line("input file:later/../gone.mp4", net, network=True)
    assert missing.startswith("error: video file later/../gone.mp4: no such file")
    assert not any(str(shared) in reply for reply in (broken, missing))
    assert producer.actions == [SetInput(f"image:{shared}/still.png")]
    assert ctl.state.input == f"image:{shared}/still.png"  # what is opened and logged is the whole path


def test_a_network_sender_leaving_puts_back_the_operators_file(tree):
    """The server's own switch to `net` and back is no client's command: the operator's clip comes back even
    outside the shared folders."""
    _, outside = tree
    ctl, _ = make_controller(MediaFolders())
    ctl.handle_line(f"input image:{outside}/secret.png", "stdin")
    switch = SenderSwitch(ctl, lambda text: None)
    switch(True)
    assert ctl.state.input == "net"
    switch(False)
    assert ctl.state.input == f"image:{outside}/secret.png"


def asked(ws, line: str) -> str:
    """The server's reply to a command line sent on `ws`."""
    ws.send(json.dumps({"type": "command", "line": line}))
    while (answer := json.loads(ws.recv(timeout=10)))["type"] != "reply":
        pass
    return answer["text"]


def test_a_client_is_refused_a_file_outside_with_the_fix_and_the_operator_is_told(tree):
    """The client hears the fix and its own paths back; the server's terminal says who was refused what, with the
    folders (the operator's own): each thing refused at once, the same one asked again counted in its own words."""
    shared, outside = tree
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
    said = []
    server = attachment(ServeSettings(port=0))(ctl, said.append, None, "crop")
    server.start()
    try:
        with connect(f"ws://127.0.0.1:{server.port}", proxy=None, close_timeout=0.5) as ws:
            def ask(line):
                return asked(ws, line)

            client = "client {}:{}".format(*ws.local_address[:2])
            refused = ask("input image:../private/secret.png")
            assert refused.startswith("error: input image:../private/secret.png: ") and \
                "only in the folders this show shares" in refused and "--media DIR" in refused
            assert ask("input image:away/secret.png").startswith("error: input image:away/secret.png: ")
            assert ask("input image:../private/secret.png") == refused  # the same again, within the throttle's time
            assert ask("input file:clip.mp4") == "input file:clip.mp4 from the next block"
            assert ask("seed 5") == "seed 5 from the next block"
        assert wait_for(lambda: any(line.startswith(f"{client} left") for line in said), 60), said
    finally:
        server.stop()
    assert [a for a in producer.actions if isinstance(a, SetInput)] == [SetInput(f"file:{shared}/clip.mp4")]
    first = (f"{client} was refused input image:../private/secret.png: {outside}/secret.png is outside the folders "
             f"shared with the network ({shared}; --media DIR shares others)")
    second = (f"{client} was refused input image:away/secret.png: {outside}/secret.png is outside the folders "
              f"shared with the network ({shared}; --media DIR shares others)")
    refusals = [line for line in said if "was refused" in line]
    # another refusal said at once, not counted under the first; the first asked again counted when the client left
    # (or said on its own, a second or two later)
    assert refusals in ([first, second, f"1 more like it: {first}"], [first, second, first])
    assert said.index(refusals[-1]) < said.index(next(line for line in said if line.startswith(f"{client} left")))


def test_a_watching_client_is_refused_commands_and_the_operator_is_told(tree):
    ctl, producer = make_controller(MediaFolders.chosen([str(tree[0])], None))
    said = []
    server = attachment(ServeSettings(port=0))(ctl, said.append, None, "crop")
    server.start()
    try:
        with connect(f"ws://127.0.0.1:{server.port}/?role=watch", proxy=None, close_timeout=0.5) as ws:
            ws.send(json.dumps({"type": "command", "line": "seed 5"}))
            while (answer := json.loads(ws.recv(timeout=10)))["type"] != "error":
                pass
            assert answer["message"].startswith("this client only watches")
            client = "client {}:{}".format(*ws.local_address[:2])
            assert wait_for(lambda: f"{client} was refused a command: it only watches (role=watch)" in said, 60)
    finally:
        server.stop()
    assert producer.actions == []


def test_a_served_replay_refuses_a_clients_commands_but_answers_its_status(tree):
    """A button on the laptop changed a replayed show, which then was no longer the log's; now the client watches."""
    ctl, producer = make_controller(MediaFolders.chosen([str(tree[0])], None))
    said = []
    server = attachment(ServeSettings(port=0))(ctl, said.append, None, "crop", replaying=True)
    server.start()
    try:
        with connect(f"ws://127.0.0.1:{server.port}", proxy=None, close_timeout=0.5) as ws:
            def ask(line):
                return asked(ws, line)

            assert ask("preset 2").startswith("error: this show replays a control log: its changes are the log's")
            assert "preset" in ask("status") and "preset" in ask("Status")  # commands are read in any case
            client = "client {}:{}".format(*ws.local_address[:2])
            assert wait_for(lambda: f"{client} was refused 'preset 2' during a replay" in said, 60), said
    finally:
        server.stop()
    assert producer.actions == [] and ctl.state.preset == 0
    assert server.intake.on_sender is None  # a sender's frames do not put the network input on air


@pytest.mark.parametrize("command", ["run", "serve"])
def test_media_reaches_the_run(command, monkeypatch, tmp_path):
    from vcam.live.run import Ended

    got = []
    monkeypatch.setattr("vcam.live.run.play", lambda opts, attach=None: got.append(opts) or
                        Ended(0, False))
    assert main([command, "--media", str(tmp_path), "--media", "clips"]) == 0
    assert got[0].media == [str(tmp_path), "clips"]


def test_a_missing_media_folder_stops_the_run_before_anything_opens(tmp_path, capsys):
    gone = os.path.join(str(tmp_path), "gone")
    assert main(["run", "--model", "tiny", "--out", "null", "--no-stdin", "--media", gone]) == 2
    err = capsys.readouterr().err
    assert f"--media {gone}: no such folder" in err and "Traceback" not in err


def test_the_home_folder_above_and_the_root_are_too_wide(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "clips").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    given = [str(home / "clips"), str(home), str(tmp_path), "/"]
    assert MediaFolders.chosen(given, None).too_wide() == [str(home), str(tmp_path), "/"]
    assert MediaFolders.chosen(None, str(home / "clips" / "show.yaml")).too_wide() == []


def test_sharing_the_home_folder_or_the_root_is_said_once_at_start_with_the_flag(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "show").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))

    def said_for(**given):
        said = []
        media = _media(RunOptions(**given), said.append)
        return said, media

    # a show file kept in the home folder shares all of it by default: said, and shared all the same
    said, media = said_for(show=str(home / "show.yaml"), serve=True)
    assert said == [f"commands from the network (vcam cam clients, --osc) may name any file under {home} (the show "
                    "file's folder, shared by default, the home folder or above it); to share less, give --media DIR "
                    "(repeatable) with the folders of the show's clips and images"]
    assert media.folders == (str(home),)
    [line] = said_for(show=str(home / "show" / "show.yaml"), osc="9000", media=[str(home / "show"), "/"])[0]
    assert "any file under / (given with --media, " in line and "give --media DIR" in line
    assert said_for(show=str(home / "show" / "show.yaml"), serve=True)[0] == []
    assert said_for(show=str(home / "show.yaml"))[0] == []  # nothing from the network: nothing is shared


def test_the_network_is_told_of_an_input_within_its_shared_folder_else_by_its_name(tree, tmp_path):
    shared, outside = tree
    other = tmp_path / "other"
    (other / "sub").mkdir(parents=True)
    media = MediaFolders.chosen([str(shared), str(other)], None)
    assert media.shown(f"file:{shared}/clip.mp4") == "file:clip.mp4"
    assert media.shown(f"image:{other}/sub/still.png") == "image:sub/still.png"  # the folder it lies in, any of them
    assert media.shown(f"image:{outside}/secret.png") == "image:secret.png"  # the operator's own file: its name
    assert media.shown(f"image:{shared}/out.png") == "image:out.png"  # as set, within the folder
    assert media.shown(f"image:{shared}/away/secret.png") == "image:away/secret.png"
    assert media.shown(f"image:{outside}/../shared/clip.mp4") == "image:clip.mp4"
    (tmp_path / "link").symlink_to(shared)  # set through a link to a shared folder: within it
    assert media.shown(f"file:{tmp_path}/link/clip.mp4") == "file:clip.mp4"
    assert MediaFolders().shown(f"file:{shared}/clip.mp4") == "file:clip.mp4"  # nothing shared: names only
    for spec in ("none", "net", "camera", "camera:1", "camera:/dev/video0"):
        assert media.shown(spec) == spec


def test_the_state_and_status_name_no_folder_to_the_network_and_all_of_it_to_the_operator(tree):
    """The state every client mirrors, its status text, a network `status` and the OSC replies built from it
    name the input within its folder, or by its name where the operator's console set a file from elsewhere; the
    operator's own `status` names it in full."""
    from vcam.control.oscreply import state_messages

    shared, outside = tree
    ctl, _ = make_controller(MediaFolders.chosen([str(shared.parent)], None))  # shares tmp_path: shared/… within
    ctl.handle_line("input file:shared/clip.mp4", "net 10.0.0.2:5000", network=True)
    assert ctl.state.input == f"file:{shared}/clip.mp4"
    assert ctl.snapshot()["input"] == "file:shared/clip.mp4"
    assert "| input file:shared/clip.mp4 |" in ctl.snapshot()["status"]

    ctl, _ = make_controller(MediaFolders.chosen([str(shared)], None))
    ctl.handle_line(f"input image:{outside}/secret.png", "stdin")
    snapshot = ctl.snapshot()
    assert snapshot["input"] == "image:secret.png"
    assert "| input image:secret.png |" in snapshot["status"]
    status = dict(state_messages(snapshot))["/vcam/status"][0]
    told = [str(snapshot), status, ctl.handle_line("status", "osc", network=True)]
    assert not any(str(outside) in text or str(shared) in text for text in told), told
    assert f"| input image:{outside}/secret.png |" in ctl.handle_line("status", "stdin")
    assert f"| input image:{outside}/secret.png |" in ctl.describe()


def test_a_client_mirrors_the_input_within_the_shared_folder(tree):
    shared, _ = tree
    ctl, _ = make_controller(MediaFolders.chosen([str(shared)], None))
    ctl.handle_line(f"input file:{shared}/clip.mp4", "stdin")
    server = attachment(ServeSettings(port=0))(ctl, lambda text: None, None, "crop")
    server.start()
    try:
        with connect(f"ws://127.0.0.1:{server.port}", proxy=None, close_timeout=0.5) as ws:
            while (state := json.loads(ws.recv(timeout=10)))["type"] != "state":
                pass
            ws.send(json.dumps({"type": "command", "line": "status"}))
            while (reply := json.loads(ws.recv(timeout=10)))["type"] != "reply":
                pass
    finally:
        server.stop()
    assert state["input"] == "file:clip.mp4" and "| input file:clip.mp4 |" in state["status"]
    assert reply["state"]["input"] == "file:clip.mp4"
    assert "| input file:clip.mp4 |" in reply["text"] and str(shared) not in reply["text"]


@pytest.fixture
def two_drives(tmp_path, monkeypatch):
    """A machine with two drives (as on Windows), where commonpath raises for paths on different ones: the home
    folder on one, the folder `drive` on the other."""
    drive, real = tmp_path / "d", os.path.commonpath
    (drive / "clips").mkdir(parents=True)
    (drive / "clips" / "clip.mp4").write_bytes(b"clip")
    home = tmp_path / "home"
    (home / "clips").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))

    def commonpath(paths):
        if len({os.fspath(p).startswith(str(drive)) for p in paths}) > 1:
            raise ValueError("Paths don't have the same drive")
        return real(paths)

    monkeypatch.setattr(os.path, "commonpath", commonpath)
    return drive, home


def test_folders_on_another_drive_are_neither_too_wide_nor_shared_nor_a_crash(two_drives):
    drive, home = two_drives
    media = MediaFolders.chosen([str(drive / "clips")], None)
    assert media.too_wide() == []  # the home folder is on the other drive: vcam run --serve starts
    with pytest.raises(Refused):  # refused as any file outside (the server's `except Refused` answers it)
        media.admit(parse(f"input file:{home}/clips/x.mp4"))
    assert admitted(media, f"input file:{drive}/clips/clip.mp4") == f"input file:{drive}/clips/clip.mp4"
    # the state names an input on the other drive by its name
    assert media.shown(f"file:{home}/clips/x.mp4") == "file:x.mp4"
    ctl, _ = make_controller(MediaFolders.chosen([str(home / "clips")], None))
    ctl.handle_line(f"input file:{drive}/clips/clip.mp4", "stdin")
    assert ctl.snapshot()["input"] == "file:clip.mp4"
    assert MediaFolders.chosen([str(home), str(drive)], None).too_wide() == [str(home)]


def cue_show(folder, text: str):
    """A show file in `folder` (its clips beside it), run with its cue list as vcam run does."""
    (folder / "show.yaml").write_text(text)
    show = parse_show(text, str(folder / "show.yaml"))
    producer = RecordingProducer()
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), producer, threading.Event(),
                     lambda text: None, media=MediaFolders.chosen(None, str(folder / "show.yaml")),
                     check_input=check_input)
    from vcam.control.cues import CueList
    ctl.cues = CueList(show.cues, ctl.handle_line, lambda text: None)
    return ctl


def test_a_reply_to_a_network_command_names_no_folder_of_the_server_whatever_it_set_going(tmp_path):
    """A preset's clip that does not open and a cue's input are the show's own, named with their whole paths here:
    the network hears them as it is told of any input (within the shared folder, else by name); the console in
    full."""
    import cv2
    import numpy as np

    show, away = tmp_path / "show", tmp_path / "away"
    (show / "clips").mkdir(parents=True)
    away.mkdir()
    (show / "clips" / "broken.mp4").write_bytes(b"no video")
    (away / "gone.mp4").write_bytes(b"no video either")
    cv2.imwrite(str(show / "clips" / "still.png"), np.zeros((8, 8, 3), np.uint8))
    ctl = cue_show(show, f"""
presets:
  - {{name: a, prompt: a city}}
  - {{name: b, prompt: a forest, input: file:clips/broken.mp4}}
  - {{name: c, prompt: a sea, input: file:{away}/gone.mp4}}
cues:
  - {{name: one, do: ["input image:clips/still.png", "seed 3"]}}
  - {{name: two, do: preset c}}
""")
    net = "net 10.0.0.2:5000"
    b = ctl.handle_line("preset 2", net, network=True)
    assert b.startswith("preset 2 'b'") and "its input is not used: cannot decode clips/broken.mp4 as a video" in b
    c = ctl.handle_line("preset 3", "osc", network=True)
    assert "its input is not used: cannot decode gone.mp4 as a video" in c and "ffmpeg -i gone.mp4 " in c
    one = ctl.handle_line("go", net, network=True)
    assert one == "cue 1/2 'one': input image:clips/still.png from the next block; seed 3 from the next block"
    two = ctl.handle_line("go", "osc", network=True)
    assert "its input is not used: cannot decode gone.mp4" in two
    assert not any(str(tmp_path) in reply for reply in (b, c, one, two)), (b, c, one, two)
    assert ctl.state.input == f"image:{show}/clips/still.png"  # what is opened is the whole path
    # the operator's console hears the paths in full
    assert f"cannot decode {away}/gone.mp4" in ctl.handle_line("preset 3", "stdin")
    (away / "gone.mp4").unlink()
    assert "its input is not used: video file gone.mp4: no such file" in ctl.handle_line("preset 3", net,
                                                                                          network=True)
    assert ctl.handle_line("back", "stdin") == (f"cue 1/2 'one': input image:{show}/clips/still.png from the next "
                                                "block; seed 3 from the next block")


def clips_renamed_in_and_out_of_the_show(tmp_path, cues: str = ""):
    """A show whose preset 2 plays a clip in its own (shared) folder and preset 3 one in a folder outside it, both
    clips then renamed in case only: (the controller, the outside folder)."""
    show, away = tmp_path / "show", tmp_path / "away"
    (show / "clips").mkdir(parents=True)
    away.mkdir()
    (show / "clips" / "lost.mp4").write_bytes(b"clip")
    (away / "gone.mp4").write_bytes(b"clip")
    ctl = cue_show(show, f"""
presets:
  - {{name: a, prompt: a city}}
  - {{name: b, prompt: a forest, input: file:clips/lost.mp4}}
  - {{name: c, prompt: a sea, input: file:{away}/gone.mp4}}
{cues}""")
    (show / "clips" / "lost.mp4").rename(show / "clips" / "Lost.mp4")
    (away / "gone.mp4").rename(away / "Gone.mp4")
    return ctl, away


def test_a_network_reply_lists_files_named_alike_only_within_the_shared_folder(tmp_path):
    """A preset's clip gone from a folder outside the shared one had its reply to a network `preset N` list the
    names of files there, named alike: the console's lists them wherever they are."""
    ctl, away = clips_renamed_in_and_out_of_the_show(tmp_path)
    net = "net 10.0.0.2:5000"
    within = ctl.handle_line("preset 2", net, network=True)
    assert within.endswith("video file clips/lost.mp4: no such file (its folder holds Lost.mp4, named alike: check "
                           "the name's case and its ending)"), within
    outside = ctl.handle_line("preset 3", net, network=True)
    assert outside.endswith("video file gone.mp4: no such file (check the path)"), outside
    operator = ctl.handle_line("preset 3", "stdin")
    assert operator.endswith(f"video file {away}/gone.mp4: no such file (its folder holds Gone.mp4, named alike: "
                             "check the name's case and its ending)"), operator


def test_a_network_line_spelling_its_shared_path_whole_hears_it_back_whole(tree):
    shared, _ = tree
    ctl, _ = make_controller(MediaFolders.chosen([str(shared)], None))
    line = f"input file:{shared}/clip.mp4"
    assert ctl.handle_line(line, "osc", network=True) == f"{line} from the next block"  # its own words


def test_an_unnamed_cue_names_no_folder_of_the_server_in_the_state_or_a_reply(tmp_path, monkeypatch):
    """An unnamed cue is named by its first line as the show file writes it, and the network is told its name as it
    is told of any path: the state's status, a network go and status name no folder, a backslash in a file's name
    (in every path on Windows) included; the operator's console names the input on air in full."""
    import cv2
    import numpy as np

    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    show, pics = tmp_path / "show", home / "pics"
    (show / "clips").mkdir(parents=True)
    pics.mkdir(parents=True)
    for image in (show / "clips" / "still\\x.png", pics / "far.png"):
        assert cv2.imwrite(str(image), np.zeros((8, 8, 3), np.uint8))
    ctl = cue_show(show, r"""
presets:
  - {name: a, prompt: a city}
cues:
  - {do: 'input image:clips/still\x.png'}
  - {do: ['input image:~/pics/far.png', seed 3]}
""")
    assert [cue.name for cue in ctl.cues.cues] == [r"input image:clips/still\x.png", "input image:~/pics/far.png"]
    net = "net 10.0.0.2:5000"
    assert ctl.snapshot()["status"].endswith(r"| cue 0/2 next 'input image:clips/still\x.png'")
    one = ctl.handle_line("go", net, network=True)
    assert one == r"cue 1/2 'input image:clips/still\x.png': input image:clips/still\x.png from the next block"
    state = ctl.snapshot()["status"]
    assert r"| input image:clips/still\x.png |" in state
    assert state.endswith(r"| cue 1/2 'input image:clips/still\x.png' next 'input image:far.png'")
    two = ctl.handle_line("go", "osc", network=True)
    assert two == "cue 2/2 'input image:far.png': input image:far.png from the next block; seed 3 from the next block"
    told = [one, state, two, ctl.snapshot()["status"], ctl.handle_line("status", net, network=True),
            ctl.handle_line("go", net, network=True)]
    assert not any(str(tmp_path) in text or "pics" in text for text in told), told
    # the operator's own status: the input on air in full, the cue as the show file names it
    mine = ctl.handle_line("status", "stdin")
    assert f"| input image:{pics}/far.png |" in mine and mine.endswith("| cue 2/2 'input image:~/pics/far.png' (end)")


def test_a_typed_input_that_does_not_open_is_one_reply_without_parentheses_in_parentheses(tmp_path):
    """The reply puts the input's fix in parentheses, and the fixes held their own: "(check the path (file: ...))"."""
    (tmp_path / "notes.png").write_text("no picture")
    ctl, _ = make_controller(MediaFolders.chosen([], None), check=check_input)
    lines = [f"input file:{tmp_path / 'gone.mp4'}", f"input image:{tmp_path / 'notes.png'}"]
    if platform.system() == "Linux" and not os.path.exists("/dev/video63"):  # said before OpenCV is asked
        lines.append("input camera:63")
    for line in lines:
        reply = ctl.handle_line(line, "stdin")
        assert reply.startswith("error: ") and "((" not in reply and "))" not in reply, reply


def test_a_clients_clip_that_does_not_open_on_air_is_told_to_it_without_the_servers_folders(tree):
    """The generator's line names the clip's whole path on this machine: a client is told the failure of its own
    change as the state names the input, within the folder shared, and the command it sent by that name too."""
    from types import SimpleNamespace

    from vcam.remote.attach import tell_not_applied

    shared, _ = tree
    ctl, producer = make_controller(MediaFolders.chosen([str(shared.parent)], None))
    hooks, told = [], []
    producer.on_not_applied = hooks.append  # as the generator takes a listener
    tell_not_applied(ctl, SimpleNamespace(not_applied=lambda source, text, key: told.append((source, text, key))))
    ctl.handle_line("input file:shared/clip.mp4", "net 10.0.0.2:5000", network=True)
    action, _, origin = producer.given[-1]
    line = f"control not applied (InputError: {shared}/clip.mp4 is no video vcam can read)"
    hooks[0](action, origin, line, ("SetInput",))
    hooks[0](action, Origin(origin.command, "midi"), line, ("SetInput",))  # not a client's: nothing told
    assert told == [("net 10.0.0.2:5000", "'input file:shared/clip.mp4': control not applied (InputError: "
                     "shared/clip.mp4 is no video vcam can read)", ("SetInput",))]


def test_a_file_given_as_a_media_folder_is_said_as_a_file_with_its_folder_as_the_fix(tmp_path):
    """`--media clip.mp4` was refused as "no such folder", as if nothing were there."""
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x")
    with pytest.raises(VcamError) as raised:
        MediaFolders.chosen([str(clip)], None)
    assert str(raised.value).startswith(f"--media {clip}: a file, not a folder")
    assert f"--media {tmp_path}" in raised.value.fix


def test_an_input_named_with_a_tab_is_told_to_the_network_escaped_and_within_its_folder(tree):
    """A reply or an error says a tab in a file's name escaped: the network is still told the path within the
    shared folder, not the server's whole path."""
    import cv2
    import numpy as np

    shared, _ = tree
    assert cv2.imwrite(str(shared / "a.png"), np.zeros((24, 32, 3), np.uint8))
    os.replace(shared / "a.png", shared / "a\tb.png")
    ctl, _ = make_controller(MediaFolders.chosen([str(shared)], None), check=check_input)
    reply = ctl.handle_line("input image:a\tb.png", "net 10.0.0.2:5000", network=True)
    assert reply == "input image:a\\tb.png from the next block"
    assert "| input image:a\\tb.png |" in ctl.handle_line("status", "net 10.0.0.2:5000", network=True)
    error = ctl.handle_line("input image:gone\tb.png", "net 10.0.0.2:5000", network=True)
    assert error.startswith("error: image gone\\tb.png: no such file") and str(shared) not in error


def test_a_fix_quoting_a_name_with_a_quote_and_a_dollar_names_no_folder_of_the_server(tree):
    """A fix's command gives a path with ' and $ as one shell word, each ' written '"'"': the network is told it
    within the shared folder as the path itself is, not the server's whole folder."""
    shared, _ = tree
    (shared / "it's $x.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(16))  # an MP4 cut short
    (shared / "it's $d").mkdir()
    (shared / "it's $d" / "take.mp4").write_bytes(b"clip")
    ctl, _ = make_controller(MediaFolders.chosen([str(shared)], None), check=check_input)
    net = "net 10.0.0.2:5000"
    clip = ctl.handle_line("input \"file:it's $x.mp4\"", net, network=True)
    assert "convert it to H.264 in an MP4: ffmpeg -i 'it'\"'\"'s $x.mp4' -c:v" in clip, clip
    folder = ctl.handle_line("input \"file:it's $d\"", net, network=True)
    assert "name one clip in it: 'file:it'\"'\"'s $d/NAME'" in folder, folder
    assert not any(str(shared) in reply for reply in (clip, folder)), (clip, folder)
    # the operator's console hears the server's path in full, quoted alike
    mine = ctl.handle_line(f"input \"file:{shared}/it's $x.mp4\"", "stdin")
    assert "ffmpeg -i '" + str(shared) + "/it'\"'\"'s $x.mp4' -c:v" in mine, mine


def test_a_reply_to_the_network_resolves_only_the_paths_it_names(tmp_path, monkeypatch):
    """Each file of the show's presets and cues is resolved (shown) only where the reply names it: not on every
    reply for every one (a stalled mount would hold each reply, and 300 inputs took ten times as long)."""
    import cv2
    import numpy as np

    show = tmp_path / "show"
    (show / "clips").mkdir(parents=True)
    picture = cv2.imencode(".png", np.zeros((8, 8, 3), np.uint8))[1].tobytes()
    for n in range(20):
        (show / "clips" / f"c{n}.mp4").write_bytes(b"no video")
        (show / "clips" / f"q{n}.png").write_bytes(picture)
    presets = "".join(f"  - {{name: p{n}, prompt: a city, input: file:clips/c{n}.mp4}}\n" for n in range(20))
    cues = "".join(f"  - {{name: q{n}, do: 'input image:clips/q{n}.png'}}\n" for n in range(20))
    ctl = cue_show(show, f"presets:\n  - {{name: a, prompt: a sea}}\n{presets}cues:\n{cues}")
    resolved = []
    realpath = os.path.realpath
    monkeypatch.setattr(os.path, "realpath", lambda path, **kw: resolved.append(str(path)) or realpath(path, **kw))
    net = "net 10.0.0.2:5000"
    assert ctl.handle_line("seed 3", net, network=True) == "seed 3 from the next block"
    assert ctl.handle_line("status", net, network=True).startswith("preset 1 'a' | seed 3")
    assert not [path for path in resolved if "clips" in path], resolved
    reply = ctl.handle_line("preset 6", net, network=True)  # names its clip, which does not decode
    assert "clips/c4.mp4" in reply and str(tmp_path) not in reply, reply
    assert {path for path in resolved if "clips" in path} <= {str(show / "clips" / "c4.mp4")}, resolved


def test_a_refused_path_with_a_tab_is_said_escaped_to_its_sender_and_the_operator(tree):
    """The reply to `input` says a tab in a file's name escaped: its refusal printed it raw, read as spaces."""
    shared, outside = tree
    line = f"input image:{outside}/a\tb.png"
    for media in (MediaFolders.chosen([str(shared)], None), MediaFolders()):
        with pytest.raises(Refused) as refused:
            media.admit(parse(line))
        for said in (str(refused.value), refused.value.detail):
            assert said.startswith(f"input image:{outside}/a\\tb.png: ") and "\t" not in said, said
    with pytest.raises(Refused) as refused:
        MediaFolders.chosen([str(shared)], None).admit(parse("input camera:/tmp/x\tcam"))
    for said in (str(refused.value), refused.value.detail):
        assert said.startswith("input camera:/tmp/x\\tcam: ") and "\t" not in said, said


@pytest.mark.parametrize("order", ["preset c, preset b", "preset b, preset c"])
def test_a_network_reply_naming_a_shared_and_an_unshared_file_lists_only_the_shared_ones_alike(tmp_path, order):
    """A cue putting on two presets whose clips are gone, one in the shared folder and one outside: every list of
    files named alike was taken out of its reply, the shared folder's too, which the sender may well look at."""
    ctl, _ = clips_renamed_in_and_out_of_the_show(tmp_path, f"cues:\n  - {{name: both, do: [{order}]}}\n")
    reply = ctl.handle_line("go", "net 10.0.0.2:5000", network=True)
    assert "video file clips/lost.mp4: no such file (its folder holds Lost.mp4, named alike: check the name's case " \
           "and its ending)" in reply, reply
    assert "video file gone.mp4: no such file (check the path)" in reply and "Gone.mp4" not in reply, reply


def test_a_path_typed_in_full_width_names_the_shared_file_its_ascii_names_and_says_so(tree, tmp_path, monkeypatch):
    """`input image:ｌｏｇｏ．ｐｎｇ ＠ｂａｒ` typed at vcam cam, logo.png in the folder the server shares: told no such
    file, the timing part of the path."""
    shared, _ = tree
    monkeypatch.chdir(tmp_path)  # vcam cam's folder: no logo.png there
    (shared / "logo.png").write_bytes(b"png")
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
    line = str(parse("ｉｎｐｕｔ　ｉｍａｇｅ：ｌｏｇｏ．ｐｎｇ　＠ｂａｒ"))  # as vcam cam sends it
    assert line == "input image:ｌｏｇｏ．ｐｎｇ @bar"
    reply = ctl.handle_line(line, "net 10.0.0.2:5000", network=True)
    assert reply.startswith("input image:logo.png") and "ｌｏｇｏ．ｐｎｇ read as logo.png" in reply
    assert producer.actions == [SetInput(f"image:{shared}/logo.png")]


def test_a_path_typed_in_full_width_at_the_console_is_said_read_in_ascii(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "logo.png").write_bytes(b"png")
    ctl, producer = make_controller(None)
    assert ctl.handle_line("ｉｎｐｕｔ　ｉｍａｇｅ：ｌｏｇｏ．ｐｎｇ", "stdin") == \
        f"input image:{tmp_path}/logo.png from the next block; ｌｏｇｏ．ｐｎｇ read as logo.png"


def test_a_camera_typed_in_full_width_is_no_path_read_in_ascii():
    """`input ｃａｍｅｒａ：１` was told `１ read as 1`, as if a file's name had been read otherwise."""
    ctl, _ = make_controller(None)
    assert ctl.handle_line("input ｃａｍｅｒａ：１", "stdin") == "input camera:1 from the next block"


def _full_width(text):
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _a_home_and_a_folder_with_pictures(tmp_path, monkeypatch):
    """A home folder holding here.png and a current folder holding cwd.png, neither shared: paths a client may name
    to learn whether they exist. The home folder, returned."""
    home, cwd = tmp_path / "home", tmp_path / "cwd"
    home.mkdir()
    cwd.mkdir()
    (home / "here.png").write_bytes(b"png")
    (cwd / "cwd.png").write_bytes(b"png")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(cwd)
    return home


@pytest.mark.parametrize("width", [_full_width, str])
@pytest.mark.parametrize("kind", ["image:", "ｉｍａｇｅ："])
@pytest.mark.parametrize("timing", ["", " ＠ｂａｒ"])
@pytest.mark.parametrize("there, missing", [("OUTSIDE/secret.png", "OUTSIDE/nope.png"), ("../private/secret.png",
                                                                                       "../private/nope.png"),
                                            ("~/here.png", "~/nope.png"), ("cwd.png", "nope.png")])
def test_a_network_line_hears_the_same_of_a_path_outside_there_or_not(tree, tmp_path, monkeypatch, width, kind,
                                                                      timing, there, missing):
    """A path typed in full width (or a timing after it), its ASCII fold outside the shared folders: the reply was a
    refusal where that exists, "no such file" where not, which told a client which of this machine's paths exist."""
    shared, outside = tree
    _a_home_and_a_folder_with_pictures(tmp_path, monkeypatch)
    replies = []
    for path in (there.replace("OUTSIDE", str(outside)), missing.replace("OUTSIDE", str(outside))):
        ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
        typed = width(path)
        try:
            reply = ctl.handle_line(f"input {kind}{typed}{timing}", "net 10.0.0.2:5000", network=True)
        except Refused as e:
            reply = f"refused {e}"
        replies.append(reply.replace(typed, "PATH"))
        assert not any("private" in str(a) or "/etc/" in str(a) or "here.png" in str(a) for a in producer.actions)
    assert replies[0] == replies[1]


@pytest.mark.parametrize("kind", ["image:", "ｉｍａｇｅ："])
def test_a_shared_path_typed_in_full_width_with_its_timing_plays_from_the_network(tree, tmp_path, monkeypatch, kind):
    """`input image:ｌｏｇｏ．ｐｎｇ ＠ｂａｒ`, its kind in ASCII: logo.png was looked for in the server's current
    folder, not the shared one, and the line was told no such file 'ｌｏｇｏ．ｐｎｇ ＠ｂａｒ'."""
    shared, _ = tree
    monkeypatch.chdir(tmp_path)
    (shared / "logo.png").write_bytes(b"png")
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
    reply = ctl.handle_line(f"input {kind}ｌｏｇｏ．ｐｎｇ ＠ｂａｒ", "net 10.0.0.2:5000", network=True)
    assert reply.startswith("input image:logo.png") and "ｌｏｇｏ．ｐｎｇ read as logo.png" in reply
    assert "on the bar" in reply
    assert producer.actions == [SetInput(f"image:{shared}/logo.png")]


def _network_replies(tree, tmp_path, monkeypatch, line: str, there: str, missing: str) -> list[tuple[str, list]]:
    """What a network client hears of `line` naming a path that is there, then one that is not (each path said as
    PATH), and the actions each sent."""
    shared, outside = tree
    home = _a_home_and_a_folder_with_pictures(tmp_path, monkeypatch)
    replies = []
    for path in (there.replace("OUTSIDE", str(outside)), missing.replace("OUTSIDE", str(outside))):
        ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
        try:
            reply = ctl.handle_line(line.replace("PATH", path), "net 10.0.0.2:5000", network=True)
        except Refused as e:
            reply = f"refused {e}"
        replies.append((reply.replace(path, "PATH").replace(path.replace("~", str(home)), "PATH"), producer.actions))
    return replies


@pytest.mark.parametrize("line", ['input file:"PATH', 'input image:"PATH @bar', 'input file:PATH"', 'input "file:PATH'])
@pytest.mark.parametrize("there, missing", [("OUTSIDE/secret.png", "OUTSIDE/nope.png"), ("~/here.png", "~/nope.png"),
                                            ("cwd.png", "nope.png")])
def test_a_network_line_with_a_quote_astray_hears_the_same_of_a_path_outside_there_or_not(tree, tmp_path, monkeypatch,
                                                                                         line, there, missing):
    """`input file:"/etc/passwd`, its quote left open: the reply offered the line where the file exists and said no
    such file where not, which told a client which of this machine's paths exist."""
    replies = _network_replies(tree, tmp_path, monkeypatch, line, there, missing)
    assert [actions for _, actions in replies] == [[], []]
    assert replies[0][0] == replies[1][0]


@pytest.mark.parametrize("line", ["input image:PATH,", "input file:PATH. @bar"])
@pytest.mark.parametrize("there, missing", [("OUTSIDE/secret.png", "OUTSIDE/nope.png"), ("~/here.png", "~/nope.png"),
                                            ("cwd.png", "nope.png")])
def test_a_network_line_with_a_mark_after_its_path_hears_the_same_of_a_path_there_or_not(tree, tmp_path, monkeypatch,
                                                                                         line, there, missing):
    """A line typed here whose path ends in a comma is offered the line without it where that file is there: from
    the network, the reply must say the same whether this machine has the file or not."""
    replies = _network_replies(tree, tmp_path, monkeypatch, line, there, missing)
    for reply, actions in replies:
        assert "did you mean" not in reply and not any("secret" in str(a) or "here" in str(a) for a in actions)
    assert replies[0][0] == replies[1][0]


@pytest.mark.parametrize("there, missing", [("OUTSIDE/secret.png", "OUTSIDE/nope.png"), ("~/here.png", "~/nope.png"),
                                            ("cwd.png", "nope.png")])
def test_a_network_path_in_quotes_opened_one_way_and_closed_the_other_hears_the_same_there_or_not(
        tree, tmp_path, monkeypatch, there, missing):
    """`input file:'PATH’` from the network is read within its quotes, as typed here: held to the shared folders
    alike whether this machine has the file outside them or not."""
    replies = _network_replies(tree, tmp_path, monkeypatch, "input file:'PATH’", there, missing)
    assert replies[0][0] == replies[1][0]
    for _, actions in replies:
        assert all(str(tree[0]) in str(a) for a in actions)
        assert not any("secret" in str(a) or "here" in str(a) or "cwd/" in str(a) for a in actions)


def test_a_shared_file_in_quotes_opened_one_way_and_closed_the_other_plays_from_the_network(tree):
    """`input file:'clip.mp4’` from the network, its closing quote curled by a phone: the quote was read as left
    open, and the client offered `input file:clip.mp4’`, the curled one kept on."""
    shared, _ = tree
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
    ctl.handle_line("input file:'clip.mp4’", "net 10.0.0.2:5000", network=True)
    assert producer.actions == [SetInput(f"file:{shared}/clip.mp4")]


def test_a_shared_file_named_in_curled_quotes_plays_from_the_network_as_named(tree):
    """`input file:’pic.jpg’` from the network, `’pic.jpg’` in the shared folder, played shared/pic.jpg, a file not
    there: its quotes were made straight and taken off, the name read otherwise than typed."""
    shared, _ = tree
    (shared / "’pic.jpg’").write_bytes(b"png")
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
    ctl.handle_line("input file:’pic.jpg’", "net 10.0.0.2:5000", network=True)
    assert producer.actions == [SetInput(f"file:{shared}/’pic.jpg’")]


def test_a_shared_file_named_with_a_quote_alone_plays_from_the_network(tree):
    """`input image:"` from the network, a file named `"` in the shared folder, was told its quote holds no path."""
    shared, _ = tree
    (shared / '"').write_bytes(b"png")
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
    ctl.handle_line('input image:"', "net 10.0.0.2:5000", network=True)
    assert producer.actions == [SetInput(f'image:{shared}/"')]


@pytest.mark.parametrize("shares", [True, False])
def test_a_network_line_looks_at_no_path_outside_the_shared_folders(tree, monkeypatch, shares):
    """`input /etc/passwd@bar` or `input ~/x@bar` from the network: reading the @ as part of the name or a timing
    resolved the whole path first, a stat of /etc, /etc/passwd@bar and ~/x@bar on the server's disk."""
    shared, outside = tree
    ctl, _ = make_controller(MediaFolders.chosen([str(shared)], None) if shares else MediaFolders())
    looked: list[str] = []

    def recorded(call):
        return lambda path, *args, **kw: looked.append(os.fspath(path)) or call(path, *args, **kw)

    for module, name in ((os, "stat"), (os, "lstat"), (os.path, "realpath")):
        monkeypatch.setattr(module, name, recorded(getattr(module, name)))
    # a folder above the shared one is stood on to resolve a path inside it: telling nothing about its files
    above = {str(shared), *map(str, shared.parents)}
    for target in (f"{outside}/secret.png@bar", "~/x@bar", f"{shared}/../private/secret.png@bar", "/etc/passwd@bar"):
        looked.clear()
        try:  # told of a glued timing, or refused as outside the folders
            ctl.handle_line(f"input {target}", "net 10.0.0.2:5000", network=True)
        except Refused:
            pass
        assert [path for path in looked if not path.startswith(f"{shared}/") and path not in above] == [], target


def test_a_network_line_is_not_offered_a_clip_named_but_for_its_spaces(tree):
    """The console is offered `take 1.mp4` for `take1.mp4` (its folder looked into); a network sender is offered no
    name so found: no folder is looked into for it."""
    shared, _ = tree
    (shared / "take 1.mp4").write_bytes(b"clip")
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None), check=check_input)
    reply = ctl.handle_line("input file:take1.mp4", "net 10.0.0.2:5000", network=True)
    assert reply == "error: video file take1.mp4: no such file (check the path)", reply
    console = ctl.handle_line(f"input file:{shared}/take1.mp4", "stdin")
    assert f"did you mean input 'file:{shared}/take 1.mp4'?" in console, console
    assert producer.actions == []


def test_a_name_stored_decomposed_is_held_to_the_shared_folders_as_stored(tree):
    """A Mac stores é as e and an accent (NFD), typed as one character (NFC): a link of such a name that leads out
    of the shared folder was admitted as typed (not there, within it), then opened where the link leads."""
    shared, outside = tree
    nfd, nfc = (lambda text: unicodedata.normalize("NFD", text)), (lambda text: unicodedata.normalize("NFC", text))
    (shared / nfd("café.png")).symlink_to(outside / "secret.png")
    (shared / nfd("Dossier-é")).symlink_to(outside)
    (shared / nfd("thé.png")).write_bytes(b"tea")
    (shared / nfd("reçu.png")).symlink_to(shared / nfd("thé.png"))
    media = MediaFolders.chosen([str(shared)], None)
    # whether the file outside is there or not, the same refusal
    for typed in ("café.png", "Dossier-é/secret.png", "Dossier-é/missing.png"):
        with pytest.raises(Refused) as refused:
            media.admit(parse(f"input image:{nfc(typed)}"))
        assert "names files only in the folders this show shares" in str(refused.value)
    # within the folder, the file the disk stores is what is opened, as it is (no name left to look up later)
    assert admitted(media, f"input image:{nfc('thé.png')}") == f"input image:{shared / nfd('thé.png')}"
    assert admitted(media, f"input image:{nfc('reçu.png')}") == f"input image:{shared / nfd('thé.png')}"
    assert admitted(media, "input image:nope.png") == f"input image:{shared}/nope.png"


@pytest.mark.skipif(os.name == "nt", reason="a POSIX link")
def test_a_decomposed_link_that_appears_after_a_line_is_admitted_is_not_opened(tree):
    """A network line's `café.png` admitted while nothing of the name was there (NFC, typed), then a link stored as
    a Mac names it (NFD) put in the shared folder, leading out of it: the open looked the name up again and showed
    the file outside, never held to the shared folders."""
    import cv2
    import numpy as np

    from vcam.live.inputs.clip import ImageSource
    from vcam.live.inputs.source import InputError

    shared, outside = tree
    nfd, nfc = (lambda text: unicodedata.normalize("NFD", text)), (lambda text: unicodedata.normalize("NFC", text))
    cv2.imwrite(str(outside / "photo.png"), np.zeros((8, 8, 3), np.uint8))
    media = MediaFolders.chosen([str(shared)], None)
    lines = [admitted(media, f"input image:{nfc(typed)}") for typed in ("café.png", "Dossier-é/photo.png")]
    (shared / nfd("café.png")).symlink_to(outside / "photo.png")
    (shared / nfd("Dossier-é")).symlink_to(outside)
    for line in lines:
        with pytest.raises(InputError) as err:
            ImageSource(line.split(":", 1)[1], 8, 8)
        assert "no such file" in err.value.message and "photo" not in str(err.value.message).split(":")[-1]
    # one that stays within the folder it is looked up in is found, as before
    inside = shared / nfd("reçu.png")
    cv2.imwrite(str(inside), np.zeros((8, 8, 3), np.uint8))
    assert ImageSource(str(shared / nfc("reçu.png")), 8, 8).path == str(inside)


@pytest.mark.parametrize("line", ["input image:ｃａｆé.png", "input image:café.png ＠ｂａｒ",
                                  "input image:'café.png' ＠ｂａｒ", "input image:ｃａｆé.png ＠ｂａｒ"])
def test_a_name_stored_decomposed_is_found_from_the_network_in_every_form_the_plain_one_is(tree, line):
    """`café.png` stored as a Mac names it (NFD) was found from the network as typed plainly, and not typed in
    full-width letters, before a full-width timing, or in quotes before one: those forms were read as paths not
    looked up by their stored names."""
    shared, _ = tree
    nfd, nfc = (lambda text: unicodedata.normalize("NFD", text)), (lambda text: unicodedata.normalize("NFC", text))
    (shared / nfd("café.png")).write_bytes(b"png")
    cmd = MediaFolders.chosen([str(shared)], None).admit(parse(nfc(line), console=False, network=True))
    assert cmd.args == (f"image:{shared / nfd('café.png')}",)


@pytest.mark.parametrize("line", ["input image:café.png", "input image:'café.png' ＠ｂａｒ",
                                  "input image:ｃａｆé.png ＠ｂａｒ"])
def test_a_missing_accented_name_reads_its_shared_folder_once_a_line_in_any_form(tree, monkeypatch, line):
    """Each form a missing `café.png` was tried in read its folder again, often for the same path: two to five
    reads of a folder of 10,000 clips a line, where the plain form had read it once. Its forms are looked up by
    name now, and the folder read once, as the input opens (for the names alike its reply offers)."""
    from vcam import storednames

    shared, _ = tree
    listed = []
    real_scandir = os.scandir
    monkeypatch.setattr(storednames.os, "scandir", lambda path: listed.append(path) or real_scandir(path))
    MediaFolders.chosen([str(shared)], None).admit(parse(line, console=False, network=True))
    assert listed == []


@pytest.mark.skipif(os.name == "nt", reason="a POSIX link")
@pytest.mark.parametrize("line", ["input image:ｃａｆé.png", "input image:café.png ＠ｂａｒ",
                                  "input image:'café.png' ＠ｂａｒ"])
@pytest.mark.parametrize("there", [True, False])
def test_a_decomposed_link_out_of_the_shared_folder_is_refused_in_every_form(tree, line, there):
    """Those forms, found by their stored names, are held to the shared folders as the plain one is: a link so
    named that leads out is refused alike whether the file it leads to is there or not."""
    shared, outside = tree
    nfd, nfc = (lambda text: unicodedata.normalize("NFD", text)), (lambda text: unicodedata.normalize("NFC", text))
    if there:
        (outside / "x.png").write_bytes(b"png")
    (shared / nfd("café.png")).symlink_to(outside / "x.png")
    with pytest.raises(Refused) as refused:
        MediaFolders.chosen([str(shared)], None).admit(parse(nfc(line), console=False, network=True))
    assert "names files only in the folders this show shares" in str(refused.value)


@pytest.mark.parametrize("line", ["input file:'clip.mp4’ ＠ｂａｒ", 'input file:"clip.mp4” ＠ｂａｒ', "input ’file:clip.mp4’",
                                  "input file:”clip.mp4”", "input file:’clip.mp4’ @bar", "input file:'clip.mp4’"])
def test_curled_quotes_round_a_shared_file_are_read_alike_from_the_console_and_the_network(tree, monkeypatch, line):
    """`input file:'clip.mp4’ ＠ｂａｒ` (a phone's closing quote, a full-width timing) played typed at the console and
    was refused from the network as a quote never closed; `’file:clip.mp4’` and `file:”clip.mp4”` too. Both read it
    now as the shared clip, and a path outside the folders so quoted is still never opened from the network."""
    shared, outside = tree
    monkeypatch.chdir(shared)
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
    assert not ctl.handle_line(line, "stdin").startswith("error"), line
    said = ctl.handle_line(line, "net 10.0.0.2:5000", network=True)
    assert not said.startswith("error") and said.startswith("input file:clip.mp4"), said
    assert [a.spec for a in producer.actions] == [f"file:{shared}/clip.mp4"] * 2
    try:  # refused, or read as a name of the shared folder's (as in straight quotes): never the file outside
        ctl.handle_line(line.replace("clip.mp4", f"{outside}/secret.png").replace("file:", "image:"),
                        "net 10.0.0.2:5000", network=True)
    except Refused:
        pass
    assert all(a.spec.partition(":")[2].startswith(f"{shared}/") for a in producer.actions), producer.actions


@pytest.mark.parametrize("path", ["out.png", "../private/secret.png", "away/secret.png", "PRIVATE/secret.png",
                                  "/etc/passwd", "/etc/nope", "x.pgn"])
@pytest.mark.parametrize("form", ["input image:'PATH’ ＠ｂａｒ", 'input image:"PATH” ＠ｂａｒ', "input 'image:PATH’ ＠ｂａｒ",
                                  "input 'PATH’ ＠ｂａｒ"])
def test_a_network_path_closed_by_a_curled_quote_before_a_full_width_timing_is_held_to_the_shared_folders(
        tree, path, form):
    """`input image:'out.png’ ＠ｂａｒ` from the network (out.png a link out of the shared folder), `'/etc/passwd’`,
    `'x.pgn’` (no such file): the whole tail was taken as the name, and the input set to `shared/'out.png’ ＠ｂａｒ`.
    Each is told no such file is in the shared folders, alike whether it exists outside them, and nothing is set."""
    shared, private = tree
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
    named = path.replace("PRIVATE", str(private))
    said = ctl.handle_line(form.replace("PATH", named), "net 10.0.0.2:5000", network=True)
    assert said.startswith(f"error: no such file {named} in the folders shared with the network: check the name, as "
                           "in input "), said
    assert "PATH" not in said and "＠" not in said, said
    assert producer.actions == []


@pytest.mark.parametrize("line", ["input image:'’ ＠ｂａｒ", 'input file:"” ＠ｂａｒ', "input image:' ’ ＠ｂａｒ",
                                  "input image:'sub’ ＠ｂａｒ", "input 'image:’ ＠ｂａｒ"])
def test_a_network_name_curled_shut_on_nothing_or_a_folder_sets_no_input(tree, line):
    """`input image:'’ ＠ｂａｒ` from the network: the empty name is the shared folder itself, and was taken, the
    input set to `shared/'’ ＠ｂａｒ`, as was a folder's name; a blank one was told `no such file   in the folders`.
    Each is refused, and nothing is set."""
    shared, _ = tree
    (shared / "sub").mkdir()
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
    said = ctl.handle_line(line, "net 10.0.0.2:5000", network=True)
    assert said.startswith("error: "), said
    assert "no such file  " not in said, said
    assert producer.actions == []


@pytest.mark.parametrize("media", [MediaFolders(), MediaFolders.chosen([], None)])
@pytest.mark.parametrize("line", ["input image:'/etc/passwd’ ＠ｂａｒ", 'input file:"x.mp4” ＠ｂａｒ'])
def test_a_network_name_curled_shut_where_no_folder_is_shared_is_told_how_to_share_one(media, line):
    """With no folder shared, `input image:'/etc/passwd’ ＠ｂａｒ` was told no such file is in the folders shared,
    as though some were; in straight quotes it is told how to share one, and is now alike."""
    ctl, producer = make_controller(media)
    said = ctl.handle_line(line, "net 10.0.0.2:5000", network=True)
    assert said.startswith("error: input ") and "shares no folder with the network" in said, said
    assert "--media DIR" in said, said
    assert producer.actions == []


def test_a_network_name_curled_shut_is_offered_the_timing_typed(tree):
    """`input image:'x.pgn’ ＠ｂｅａｔ`: the hint said @bar, a timing not typed."""
    shared, _ = tree
    ctl, _ = make_controller(MediaFolders.chosen([str(shared)], None))
    said = ctl.handle_line("input image:'x.pgn’ ＠ｂｅａｔ", "net 10.0.0.2:5000", network=True)
    assert said.endswith("as in input image:'NAME' @beat"), said


@pytest.mark.parametrize("line", ["input file:‘clip.mp4' ＠ｂａｒ", "input file:“clip.mp4\" ＠ｂａｒ",
                                  "input file:'it's.mp4’ ＠ｂａｒ", "input file:‘it's.mp4' ＠ｂａｒ"])
def test_a_pair_curled_at_either_end_before_a_full_width_timing_is_read_alike_here_and_from_the_network(
        tree, monkeypatch, line):
    """`input file:‘clip.mp4' ＠ｂａｒ` (the opening quote curled, the closing one straight) was refused as a quote left
    open at the console and from the network; `'it's.mp4’ ＠ｂａｒ` (an apostrophe within) played at the console and
    from the network set the name `'it's.mp4’ ＠ｂａｒ` in the shared folder, which is not there. Both read the shared
    file, on the bar."""
    shared, _ = tree
    (shared / "it's.mp4").write_bytes(b"clip")
    name = "it's.mp4" if "it's" in line else "clip.mp4"
    monkeypatch.chdir(shared)
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
    for source, network in (("stdin", False), ("net 10.0.0.2:5000", True)):
        said = ctl.handle_line(line, source, network=network)
        assert not said.startswith("error"), said
    assert [a.spec for a in producer.actions] == [f"file:{shared}/{name}"] * 2
    assert all(origin.command.endswith(f"{name} @bar") for _, _, origin in producer.given), producer.given


@pytest.mark.parametrize("path", ["out.png", "../private/secret.png", "../private/nope.png", "away/secret.png",
                                  "PRIVATE/secret.png", "PRIVATE/nope.png"])
def test_a_network_path_opened_by_a_curled_quote_before_a_full_width_timing_is_held_to_the_shared_folders(
        tree, path):
    """`input image:‘../private/secret.png' ＠ｂａｒ` from the network (the opening quote curled): told as a line closed
    by a curled quote is, that no such file is in the shared folders, alike whether it exists outside them (a link out,
    a `..`, a whole path), and nothing is set."""
    shared, private = tree
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
    named = path.replace("PRIVATE", str(private))
    said = ctl.handle_line(f"input image:‘{named}' ＠ｂａｒ", "net 10.0.0.2:5000", network=True)
    assert said == (f"error: no such file {named} in the folders shared with the network: check the name, as in "
                    "input image:'NAME' @bar"), said
    assert producer.actions == []


@pytest.mark.skipif(os.name == "nt", reason="a POSIX link")
@pytest.mark.parametrize("form", ["input image:N", "input image:'N' ＠ｂａｒ", "input image:W", "input image:W ＠ｂａｒ"])
def test_a_name_stored_decomposed_gets_one_answer_at_the_console_in_every_form(tree, monkeypatch, form):
    """At the console, `reçu.png` stored as a Mac names it (NFD), a link out of its folder, was told no such file
    typed plainly, and typed in quotes before a full-width timing or in full-width letters was read as a name of its
    own (`'reçu.png' ＠ｂａｒ`, `ｒｅçｕ．ｐｎｇ`): three answers. A plain file so stored opened typed plainly alone.
    Every form is read as the plain one now; the link out stays unopened in all (the open holds a stored name to
    its folder, which is what keeps a network line's name in the shared ones)."""
    import cv2
    import numpy as np

    shared, outside = tree
    nfd, nfc = (lambda text: unicodedata.normalize("NFD", text)), (lambda text: unicodedata.normalize("NFC", text))
    cv2.imwrite(str(outside / "x.png"), np.zeros((8, 8, 3), np.uint8))
    cv2.imwrite(str(shared / nfd("thé.png")), np.zeros((8, 8, 3), np.uint8))
    (shared / nfd("reçu.png")).symlink_to(outside / "x.png")
    monkeypatch.chdir(shared)

    def line(name: str) -> str:
        wide = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and (c.isalnum() or c == ".") else c for c in name)
        return nfc(form.replace("N", name).replace("W", wide))

    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None), check=check_input)
    said = ctl.handle_line(line("reçu.png"), "stdin")
    assert nfc(said).startswith(f"error: image {shared / nfc('reçu.png')}: no such file"), said
    said = ctl.handle_line(line("thé.png"), "stdin")
    assert said.startswith("input image:") and "thé.png" in nfc(said), said
    assert len(producer.actions) == 1


@pytest.mark.skipif(os.name == "nt", reason="a POSIX link")
@pytest.mark.parametrize("form", ["input image:N", "input image:W"])
def test_a_decomposed_link_to_its_own_folder_is_told_a_folder_as_a_plain_one_is(tree, monkeypatch, form):
    """`café` stored as a Mac names it (NFD), a link to the folder it is in: typed in full-width letters at the
    console it was told no such file, where `cafe`, a plain link alike, was told it is a folder."""
    shared, _ = tree
    nfd, nfc = (lambda text: unicodedata.normalize("NFD", text)), (lambda text: unicodedata.normalize("NFC", text))
    (shared / nfd("café")).symlink_to(shared)
    (shared / "cafe").symlink_to(shared)
    monkeypatch.chdir(shared)
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None), check=check_input)
    for name in ("cafe", "café"):
        wide = "".join(chr(ord(c) + 0xFEE0) if c.isascii() else c for c in name)
        said = ctl.handle_line(nfc(form.replace("N", name).replace("W", wide)), "stdin")
        assert nfc(said).startswith(f"error: image {shared / nfc(name)} is a folder, not a file"), said
    assert producer.actions == []


@pytest.mark.parametrize("line", ["input image:café.png", "input image:'café.png' ＠ｂａｒ", "input image:ｃａｆé.png"])
@pytest.mark.parametrize("network", [False, True])
def test_a_missing_accented_name_reads_its_folder_once_to_open_then_for_respacing(tree, monkeypatch, network, line):
    """A missing `café.png` read its folder twice as its input was opened, after what admitting a network line
    read: once for a name a Mac stored (NFD), once more for the names alike its fix offers. Its quoted and
    full-width forms at the console are not read again for the Mac's name: a look at that name alone. The
    console's line reads the folder it was typed in once more, for a name alike but for its spaces."""
    from vcam import storednames

    shared, _ = tree
    monkeypatch.chdir(shared)
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None), check=check_input)
    listed = []
    real_scandir = os.scandir
    monkeypatch.setattr(storednames.os, "scandir", lambda path: listed.append(path) or real_scandir(path))
    said = ctl.handle_line(line, "net 10.0.0.2:5000" if network else "stdin", network=network)
    assert "no such file" in said and producer.actions == [], said
    # the line admitted from the network is looked up by its name's forms as it is admitted, its folder read once
    # as it opens (it was read as it was admitted too); the console's line is looked for named alike but for its
    # spaces too, once, from the folder it was typed in
    assert listed == [str(shared)] + (["."] if not network else [])


@pytest.mark.parametrize("form", ["input image:V/N", "input image:'V/N' ＠ｂａｒ", "input image:W", "input image:V/N ＠ｂａｒ"])
def test_a_decomposed_name_in_a_composed_folder_gets_one_answer_in_every_form(tmp_path, monkeypatch, form):
    """`Vidéos` named at a keyboard (NFC) holding a Mac's copy of `café.png` (NFD): typed plainly at the console it
    opened, but in quotes before a full-width timing or in full-width letters it was told no such file."""
    import cv2
    import numpy as np

    nfd, nfc = (lambda text: unicodedata.normalize("NFD", text)), (lambda text: unicodedata.normalize("NFC", text))
    folder = tmp_path / nfc("Vidéos")
    folder.mkdir()
    cv2.imwrite(str(folder / nfd("café.png")), np.zeros((8, 8, 3), np.uint8))
    monkeypatch.chdir(tmp_path)
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c != " " else c for c in "Vidéos/café.png")
    line = nfc(form.replace("W", wide).replace("V", "Vidéos").replace("N", "café.png"))
    ctl, producer = make_controller(MediaFolders.chosen([str(tmp_path)], None), check=check_input)
    said = ctl.handle_line(line, "stdin")
    assert said.startswith("input image:") and "café.png" in nfc(said), said
    assert len(producer.actions) == 1


def test_an_iphone_photo_sent_as_a_clip_is_told_how_to_convert_it_without_the_shared_folder(tree):
    """`input file:IMG_2.HEIC` from the network was told the commands that convert it with the JPEG's path in the
    shared folder, which the network is never told (`--out /srv/IMG_2.jpg`)."""
    shared, _ = tree
    (shared / "IMG_2.HEIC").write_bytes(b"\0\0\0\x1cftypheic\0\0\0\0mif1heicmiaf" + b"\0" * 200)
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None), check=check_input)
    said = ctl.handle_line("input file:IMG_2.HEIC", "net 10.0.0.2:5000", network=True)
    assert "it is a HEIC photo" in said and "sips -s format jpeg" in said, said
    assert str(shared) not in said and str(shared.parent) not in said, said
    assert producer.actions == []


def test_a_full_width_name_in_the_share_is_opened_as_typed_beside_its_ascii_twin(tree):
    """Both ｘ．ｐｎｇ and x.png shared: `input image:'ｘ．ｐｎｇ' ＠ｂａｒ` from the network opened x.png, not the file
    named as typed."""
    shared, _ = tree
    (shared / "ｘ．ｐｎｇ").write_bytes(b"png")
    (shared / "x.png").write_bytes(b"png")
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
    ctl.handle_line("input image:'ｘ．ｐｎｇ' ＠ｂａｒ", "net 10.0.0.2:5000", network=True)
    assert [a.spec for a in producer.actions] == [f"image:{shared}/ｘ．ｐｎｇ"], producer.actions


def test_a_full_width_slash_with_no_kind_from_the_network_is_offered_no_file_kind(tree):
    """`input 'sub／x.png' ＠ｂａｒ` from the network, sub/x.png shared, was offered `input file:'sub/x.png' ＠ｂａｒ`,
    the kind wrong for an image and the timing still full width: it is offered no such line."""
    shared, _ = tree
    (shared / "sub").mkdir()
    (shared / "sub" / "x.png").write_bytes(b"png")
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
    try:
        said = ctl.handle_line("input 'sub／x.png' ＠ｂａｒ", "net 10.0.0.2:5000", network=True)
    except Refused as e:
        said = f"refused: {e}"
    assert "did you mean input file:" not in said, said
    assert producer.actions == [], producer.actions


@pytest.mark.parametrize("line", ["input image:‘sub／x.png' ＠ｂａｒ", "input image:'sub／x.png' ＠ｂａｒ"])
def test_a_quoted_full_width_name_before_a_full_width_timing_opens_its_ascii_file_as_at_the_console(tree, line):
    """`input image:‘sub／x.png' ＠ｂａｒ`, sub/x.png shared: the console plays sub/x.png; from the network the quotes
    were read off for the fold's sake, then the name as typed (quotes and timing on) was set as the input, a name
    the shared folder does not hold (`'sub／x.png' ＠ｂａｒ` was told no such file)."""
    shared, _ = tree
    (shared / "sub").mkdir()
    (shared / "sub" / "x.png").write_bytes(b"png")
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
    reply = ctl.handle_line(line, "net 10.0.0.2:5000", network=True)
    assert reply.startswith("input image:sub/x.png; sub／x.png read as sub/x.png; it lands")
    assert producer.actions == [SetInput(f"image:{shared}/sub/x.png")]


@pytest.mark.parametrize("typed, stored", [("NFD", "NFC"), ("NFC", "NFD")])
def test_a_quoted_name_before_a_full_width_timing_is_found_as_its_unicode_twin_from_the_network(tree, typed, stored):
    """`input image:‘sub/é.png' ＠ｂａｒ` sent in one Unicode form, the file stored in the other: was refused as missing,
    where the same name unquoted was found."""
    shared, _ = tree
    (shared / "sub").mkdir()
    name = unicodedata.normalize(stored, "sub/é.png")
    (shared / name).write_bytes(b"png")
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None))
    line = unicodedata.normalize(typed, "input image:‘sub/é.png' ＠ｂａｒ")
    assert not ctl.handle_line(line, "net 10.0.0.2:5000", network=True).startswith("error")
    assert producer.actions == [SetInput(f"image:{shared / name}")]


def test_a_text_file_named_as_a_clip_from_the_network_is_said_a_text_file(tree):
    """A network line's `input file:notes.txt` is told it names a text file, as the console's is (it was told that
    a file of the server's own, named by its descriptor, cannot be decoded and to convert it to H.264)."""
    shared, _ = tree
    (shared / "notes.txt").write_text("presets:\n  - {name: a, prompt: a city}\n" * 20)
    ctl, producer = make_controller(MediaFolders.chosen([str(shared)], None), check_input)
    reply = ctl.handle_line("input file:notes.txt", "net 10.0.0.2:5000", network=True)
    assert "notes.txt is a text file, not a video" in reply and "/proc/" not in reply, reply
    assert "H.264" not in reply and producer.actions == [], reply
