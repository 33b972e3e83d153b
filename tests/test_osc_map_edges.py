"""An OSC map's edges: where a tablet's fader is sent back to, which of a map file's entries a show's own replace,
the arg an XY pad's second value takes, and the addresses a map may and may not bind."""
import pytest

from vcam.control.commands import parse
from vcam.control.oscmap import OscButton, OscFader, OscMap, builtin_command, load_map
from vcam.control.yamlproblems import ConfigError


def loaded(tmp_path, *entries: str, ignore: str = "") -> OscMap:
    path = tmp_path / "map.yaml"
    path.write_text("controls:\n" + "".join(f"  - {e}\n" for e in entries) + (f"ignore: {ignore}\n" if ignore else ""))
    return load_map(path)


def refusal(tmp_path, *entries: str, ignore: str = "") -> str:
    with pytest.raises(ConfigError) as err:
        loaded(tmp_path, *entries, ignore=ignore)
    return err.value.problems[0]


@pytest.mark.parametrize("value, at", [(-3.0, 0.0), (20.0, 1.0), (4.0, 0.25)])
def test_a_value_past_a_faders_range_sends_the_tablets_fader_to_its_nearer_end(value, at):
    assert OscFader("/1/fader1", "transition", 0.0, 16.0).position(value) == pytest.approx(at)


def test_a_fader_whose_range_is_one_value_stands_at_its_bottom():
    assert OscFader("/1/fader1", "transition", 4.0, 4.0).position(4.0) == 0.0


@pytest.mark.parametrize("curve", ["exp", "log"])
def test_a_curved_faders_position_is_where_the_tablet_would_put_it_for_that_value(curve):
    fader = OscFader("/1/fader1", "strength", 0.0, 1.0, curve)
    for x in (0.1, 0.5, 0.9):
        assert fader.position(fader.value(x)) == pytest.approx(x)
        assert fader.value(x) != pytest.approx(x)  # a curve: the value is not where the fader stands


def test_a_shows_own_entry_replaces_its_map_files_at_that_address_and_both_ignore_lists_count():
    from_file = OscMap("touchosc", faders=(OscFader("/1/fader1", "blend", 0.0, 1.0),
                                           OscFader("/1/fader2", "strength", 0.0, 1.0)),
                       buttons=(OscButton("/2/push1", parse("next")), OscButton("/2/push2", parse("prev"))),
                       ignore=("/1", "/2"))
    own = OscMap("", faders=(OscFader("/2/push1", "transition", 0.0, 8.0),),
                 buttons=(OscButton("/1/fader1", parse("freeze")),), ignore=("/2", "/3"))
    merged = from_file.merged(own)
    assert merged.bound("/1/fader1") == ([], [own.buttons[0]])
    assert merged.bound("/2/push1") == ([own.faders[0]], [])
    assert merged.bound("/1/fader2") == ([from_file.faders[1]], []) and len(merged.bound("/2/push2")[1]) == 1
    assert merged.ignore == ("/1", "/2", "/3") and merged.name == "touchosc"
    assert merged.describe() == "touchosc: 2 faders, 2 buttons, 3 ignored"


def test_an_ignore_pattern_matches_in_the_case_it_is_written():
    mapping = OscMap(ignore=("/accxyz", "/4/multitoggle/*"))
    assert mapping.ignores("/4/multitoggle/3") and mapping.ignores("/accxyz")
    assert not mapping.ignores("/ACCXYZ") and not mapping.ignores("/4/push1")
    assert OscMap().describe() == "inline map: 0 faders, 0 buttons"


def test_an_xy_pad_binds_its_two_values_at_one_address_but_one_value_twice_is_refused(tmp_path):
    mapping = loaded(tmp_path, "{address: /3/xy, param: blend}", "{address: /3/xy, arg: 1, param: strength}")
    assert [f.arg for f in mapping.faders] == [0, 1]
    assert "/3/xy is already bound on line 2" in refusal(
        tmp_path, "{address: /3/xy, arg: 1, param: blend}", "{address: /3/xy, arg: 1, param: strength}")
    assert "/3/xy is already bound on line 2" in refusal(
        tmp_path, "{address: /3/xy, command: next}", "{address: /3/xy, command: prev}")


def test_a_fader_and_a_button_at_one_address_both_bind(tmp_path):
    mapping = loaded(tmp_path, "{address: /1/toggle1, param: blend}", "{address: /1/toggle1, command: next}")
    assert len(mapping.faders) == 1 and len(mapping.buttons) == 1


@pytest.mark.parametrize("arg, bound", [(0, True), (15, True), (16, False), (-1, False)])
def test_a_faders_arg_is_one_of_the_first_16_values(tmp_path, arg, bound):
    entry = f"{{address: /a, arg: {arg}, param: blend}}"
    if bound:
        assert loaded(tmp_path, entry).faders[0].arg == arg
    else:
        assert "arg" in refusal(tmp_path, entry)


@pytest.mark.parametrize("entry, said", [
    ("{address: /a}", "give either param (a fader) or command (a button)"),
    ("{address: /a, param: blend, command: next}", "give either param (a fader) or command (a button)"),
    ("{address: /a, command: next, arg: 1}", "arg is for a fader (param:), not a button"),
    ("{address: /a, command: next, range: [0, 1]}", "range is for a fader (param:), not a button"),
    ("{address: /a, param: blend, release: live}", "release is for a button (command:), not a fader"),
    ("{address: /a, command: freeze, release: lve}", "release: unknown command 'lve'"),
    ("{address: /vcam/next, command: prev}", "is one of vcam's own addresses"),
    ("{address: vcam/next, command: prev}", "is one of vcam's own addresses"),
    ("{address: /vcam/CMD, command: prev}", "is one of vcam's own addresses"),
    ("{address: 1/fader5, param: blend}", "must start with /: write /1/fader5"),
    ("{address: /1/fader 5, param: blend}", "must start with / and hold no spaces"),
    ("{address: '/1/fader*', param: blend}", "must start with / and hold no spaces"),
    # a trailing slash bound an address no app sends: the fader stayed dead without a word
    ("{address: /1/fader1/, param: blend}", "'/1/fader1/' ends with /, which no app's address does: write /1/fader1"),
    ("{address: /2/push1//, command: next}", "ends with /, which no app's address does: write /2/push1"),
    # told to write /vcam/next, which is then refused as one of vcam's own
    ("{address: /vcam/next/, command: next}", "'/vcam/next/' is one of vcam's own addresses"),
])
def test_an_osc_entry_written_wrong_is_refused_with_what_to_write(tmp_path, entry, said):
    assert said in refusal(tmp_path, entry)


def test_vcams_own_addresses_are_known_in_any_case_and_no_others_are():
    assert builtin_command("/vcam/Next") == "next" and builtin_command("/vcam/cmd") == "cmd"
    assert builtin_command("/vcam/fader1") is None and builtin_command("/next") is None


def test_an_ignore_entry_without_its_slash_is_refused(tmp_path):
    assert "ignore entry 'accxyz' must start with /" in refusal(tmp_path, "{address: /a, param: blend}",
                                                                 ignore="[accxyz]")
    assert loaded(tmp_path, "{address: /a, param: blend}", ignore="[/accxyz]").ignore == ("/accxyz",)


def test_a_shows_own_osc_name_is_the_merged_maps():
    assert OscMap("touchosc").merged(OscMap("my tablet")).name == "my tablet"


SHOW = """\
presets:
  - {name: city, prompt: a neon city}
  - {name: forest, prompt: a misty forest}
"""


def problems(mapping: OscMap, inline: str = "show.yaml") -> list[tuple[str, int, str]]:
    from vcam.control.oscmap import missing_presets
    from vcam.control.show import parse_show

    return missing_presets(parse_show(SHOW, "show.yaml"), mapping, inline)


def test_a_blend_button_naming_a_preset_the_show_lacks_second_is_said_at_its_line():
    mapping = OscMap(buttons=(OscButton("/b", parse("blend city desert 0.5"), where=("show.yaml", 7)),))
    [(path, line, said)] = problems(mapping)
    assert (path, line) == ("show.yaml", 7) and "desert" in said


def test_a_preset_number_past_the_show_is_said_in_the_shows_own_entries_not_in_a_map_files():
    """A map file lays out a row of preset buttons for shows of any length."""
    own = OscButton("/p9", parse("preset 9"), where=("show.yaml", 5))
    from_file = OscButton("/p8", parse("preset 8"), where=("pads.yaml", 3))
    assert [(p, n) for p, n, _ in problems(OscMap(buttons=(own, from_file)))] == [("show.yaml", 5)]


def test_a_fader_between_a_yaml_yes_and_a_preset_is_told_to_quote_a_name():
    mapping = OscMap(faders=(OscFader("/f", "blend", 0.0, 1.0, between=(True, "forest"), where=("show.yaml", 4)),))
    assert problems(mapping) == [("show.yaml", 4, "/f between: True is not a preset name or number; quote a name")]


def test_the_presets_a_map_lacks_are_said_in_the_order_of_their_lines():
    mapping = OscMap(buttons=(OscButton("/b", parse("preset desert"), where=("show.yaml", 9)),
                              OscButton("/a", parse("preset ocean"), where=("show.yaml", 3))))
    assert [line for _, line, _ in problems(mapping)] == [3, 9]


def test_an_ignore_pattern_reads_oscs_own_wildcards():
    """OSC 1.0's patterns, as a tablet's documentation writes them: {a,b} alternatives and [0-9] / [!0-9] ranges.
    {1,2} was read as the two characters, and the page changes it names were said on every touch."""
    mapping = OscMap(ignore=("/{1,2}", "/4/multi[0-9]", "/ping[!0-9]", "/x/{fader,push}[1-3]/*"))
    assert mapping.ignores("/1") and mapping.ignores("/2") and not mapping.ignores("/3")
    assert mapping.ignores("/4/multi7") and not mapping.ignores("/4/multix")
    assert mapping.ignores("/pingx") and not mapping.ignores("/ping5")
    assert mapping.ignores("/x/push2/z") and mapping.ignores("/x/fader3/z") and not mapping.ignores("/x/push4/z")
    assert not mapping.ignores("/{1,2}")


def test_an_ignore_pattern_never_raises_nor_backtracks_without_end():
    """A range written backwards raised re.error at every unbound packet, and `/*/*/*/*/x` against a long address
    took seconds a packet, the router's lock held, every control waiting."""
    mapping = OscMap(ignore=("/x[9-0]", "/*/*/*/*/*/*/x", "/{" + ",".join("abcdefghij") + "}" + "{0,1}" * 10))
    assert not mapping.ignores("/x5") and not mapping.ignores("/a" * 400)
    assert mapping.ignores("/a0000000000") and len(oscmap_globs("/{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}")) == 64


def oscmap_globs(text):
    from vcam.control.oscmap import _globs

    return _globs(text)


def test_an_ignore_pattern_with_a_bracket_left_open_matches_it_as_written():
    mapping = OscMap(ignore=("/a{b", "/c[d", "/e[!]"))
    assert mapping.ignores("/a{b") and mapping.ignores("/c[d") and mapping.ignores("/e[!]")
    assert not mapping.ignores("/ab")
