"""MIDI map files with a mistake: each said once, with its line and its fix."""
import pytest


@pytest.mark.parametrize("entry, said", [
    ("- cc 16 blend", ":2: MIDI map control 1 must be a mapping of key: value lines: {cc: 16, param: blend} (a knob)"),
    ("- {cc: 16, comand: next}", ":2: MIDI map control 1: unknown key 'comand'; known keys: cc, note, program, param"),
    ("- {CC: 16, param: blend}", ":2: MIDI map control 1: unknown key 'CC'; known keys: cc,"),
    ("- {cc: 16, param: strength, range: 1}", ":2: MIDI map control 1 range must be [low, high], e.g. [0, 1]"),
    ("- {cc: 16, param: transition, range: {low: 0}}",
     ":2: MIDI map control 1 range must be [low, high], e.g. [0, 32]"),
    ("- {cc: 16, param: blend, between: forest}", ":2: MIDI map control 1 between must list two presets, e.g. [neon"),
    # given with --midi-map, apart from any show: its knob would blend a preset with itself
    ("- {cc: 16, param: blend, between: [3, 3]}", ":2: MIDI map control 1 between names preset 3 twice; a blend"),
    ("- {cc: 16, param: strength, between: [a, b]}", ":2: MIDI map control 1: between is only for param: blend"),
])
def test_a_map_files_mistake_is_said_once_with_its_line_and_its_fix(tmp_path, entry, said):
    """Each of these was said twice over: the mistake, then what the entry lacked because of it ('give exactly one
    of cc, note or program' for a misspelt cc), which sent the operator after the wrong fix."""
    from vcam.control.midimap import load_map
    from vcam.control.yamlcheck import ConfigError

    path = tmp_path / "map.yaml"
    path.write_text(f"controls:\n  {entry}\n")
    with pytest.raises(ConfigError) as err:
        load_map(path)
    assert len(err.value.problems) == 1, err.value.problems
    assert err.value.problems[0].startswith(f"{path}{said}"), err.value.problems[0]
