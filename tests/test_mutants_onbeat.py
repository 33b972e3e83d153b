"""Changes on the beat held until their block (vcam.control.onbeat): the order of each kind kept, what a reply names,
what is said once, and a producer that tells no block start. Each test fails where the code is changed in the way its
docstring says."""
from vcam.control.actions import Origin, SetPrompts, SetSeed
from vcam.control.onbeat import OnTheBeat


class _Producer:
    """Tells its block starts where `follows` (as the generator does); keeps what it is handed, with its block."""

    def __init__(self, follows: bool = True):
        if follows:
            self.starting: list = []
        self.submitted = 0
        self.got: list[tuple[object, int | None]] = []

    def submit(self, action, at_block=None, origin=None) -> None:
        value = action.seed if isinstance(action, SetSeed) else next(iter(action.prompts))
        self.got.append((value, at_block))

    def start(self, block: int) -> None:
        self.submitted = block
        for told in self.starting:
            told(block)


class _Prompter:
    """Keeps each held change it is handed, to be told encoded when the test says (as a slow encode would)."""

    def __init__(self):
        self.held: list = []

    def hand_over(self, action, at_block=None, origin=None, to=None) -> None:
        self.held.append(to)


def _seed(seed: int, spec: str = "@bar") -> tuple:
    return SetSeed(seed), Origin(f"seed {seed} {spec}", "stdin")


def _prompt(text: str, spec: str = "@bar") -> tuple:
    return SetPrompts({text: 1.0}, 0), Origin(f"{text} {spec}", "stdin")


def test_a_command_with_no_actions_names_no_landing_block():
    """Nothing to land: no block is taken for it, where the block it would have landed on was kept as its landing
    (and an empty change stayed in the hold)."""
    beat = OnTheBeat(_Producer(), land=None)
    assert beat.take([], "bar", 5) is None
    assert beat.taken_at is None and beat.waiting() == []


def test_without_block_starts_a_preset_at_once_sends_its_prompts_now_and_its_seed_behind_the_held_seed():
    """A producer that tells no block start: a seed on the bar went to block 5; a preset at once then sends its
    seed to block 5 (after that seed) and its prompts to the next block, where both were held for block 5."""
    producer = _Producer(follows=False)
    beat = OnTheBeat(producer, land=None)
    beat.take([_seed(1)], "bar", 5)
    assert beat.take([_prompt("a neon city", ""), _seed(7, "")], None, None) == 5
    assert producer.got == [(1, 5), ("a neon city", None), (7, 5)]


def test_a_change_encoded_late_in_two_parts_says_where_it_landed_once():
    """A seed and a preset joined on one held change, handed over for block 1 and encoded only after block 2 and 3
    started: the late landing is said once, where it was said again for the second part."""
    said: list[str] = []
    producer, prompter = _Producer(), _Prompter()
    beat = OnTheBeat(producer, land=None, prompter=prompter, say=said.append)
    assert beat.take([_seed(1)], "beat", 1) is None
    assert beat.take([_seed(2)], "beat", 1) == 1  # joins it, after it
    held = prompter.held[0]
    assert prompter.held == [held, held]
    held.submit(None)
    producer.start(2)
    held.submit(None)
    producer.start(3)
    assert producer.got == [(1, 1), (2, 1)]
    assert len([line for line in said if "as said" in line]) == 1


def test_a_change_behind_a_waiting_one_of_its_kind_still_waits_when_its_own_block_comes():
    """Prompts and a seed wait behind a seed on a far boundary; new prompts whose block is next wait too, and land
    after those prompts, where they went first and the stream ended on the older prompts."""
    producer = _Producer()
    far = {"8bars": 30}
    beat = OnTheBeat(producer, land=lambda spec: far.get(spec, 15))
    assert beat.take([_seed(1, "@8bars")], "8bars", 10) is None
    assert beat.take([_prompt("ocean"), _seed(2)], "bar", 12) is None
    for block in range(1, 14):
        producer.start(block)
    assert beat.take([_prompt("city", "@beat")], "beat", 14) is None
    producer.start(14)
    assert producer.got == []
    beat.release()
    producer.start(15)
    assert [value for value, _ in producer.got] == [1, "ocean", 2, "city"]


def test_a_change_behind_one_of_its_kind_handed_over_but_still_encoding_goes_on_its_own_block():
    """A seed handed over for block 1 is still being encoded as block 1 starts; a seed for block 2 goes on block 2,
    after it, where it waited to be placed again and the boundary had moved on by then."""
    producer, prompter = _Producer(), _Prompter()
    beat = OnTheBeat(producer, land=lambda spec: 5, prompter=prompter, say=lambda line: None)
    assert beat.take([_seed(1, "@beat")], "beat", 1) is None
    producer.start(1)
    assert beat.take([_seed(2, "@beat")], "beat", 2) is None
    for held in prompter.held:
        held.submit(None)
    producer.start(2)
    assert producer.got == [(1, 1), (2, 2)]


def test_a_held_change_of_two_commands_says_both_with_the_plural_verb_when_the_tempo_stops():
    """A seed on the bar and a preset's seed joined to it: when the tempo stops, the line names both with `land`."""
    said: list[str] = []
    tempo = {"bar": 10}
    producer = _Producer()
    beat = OnTheBeat(producer, land=tempo.get, say=said.append)
    assert beat.take([_seed(1)], "bar", 10) is None
    assert beat.take([(SetSeed(2), Origin("preset city", "stdin"))], "bar", 10) == 10
    tempo.clear()
    producer.start(1)
    assert producer.got == [(1, None), (2, None)]
    assert any("the tempo stopped: seed, preset land from the next block" in line for line in said)
