"""The quotes and apostrophes a line or a show's value may hold, straight and as a phone's keyboard, a word processor
or a chat message curls them, and which of them pair. Each table answers its own question: a path's quotes, a name's
typographic pair, a pair curled on one side only, a YAML value's quotes; where two look alike they differ on purpose,
as said at each."""
from __future__ import annotations

import re

# The quotes a path may be put in, as they open, each with those that close it: straight, or typographic (a phone's
# keyboard, a document)
OPENING_QUOTES = {'"': '"', "'": "'", "“": "”“", "„": "“”", "‘": "’"}

# every quote a path may be put in, opening or closing it
QUOTE_MARKS = "".join(dict.fromkeys("".join(key + value for key, value in OPENING_QUOTES.items())))

# The quotes that close a path, and those that open it: one that ends a path where none opens it was read as part of
# the name (`input file:loop.mp4"`). Not OPENING_QUOTES turned round (no ’ or “ ends a path here): made one, a path
# ending in either would be read otherwise than it is
CLOSING_QUOTES = {'"': '"', "'": "'", "”": "“„"}

# Typographic quotes round a word or words, as a phone's keyboard, a word processor or a chat message puts them
# (“neon city”, „neon city“, ‘neon city’): the typographic pairs of OPENING_QUOTES, read as quotes, as the straight
# ones are. A ’ within a word is an apostrophe (bob’s dream, ‘bob’s’), which closes nothing; so are the two of a word
# that starts with one (‘rock ’n’ roll’), whose second closed the pair at `’n’`, but where nothing follows that closes
# it (‘the ’90s’). Each ’ is read one way or, before a space, two: a line of many such words is read once over, not
# tried every way.
TYPOGRAPHIC_PAIR = re.compile(r"(?<!\S)(?:[“„](.*?)[”“]|‘((?:(?<!\S)’[^\s’]+’(?!\S)|[^’]|’(?=\S))*?)’)(?!\S)",
                              re.DOTALL)


def in_typographic_pair(text: str) -> str | None:
    """What typographic quotes round the whole of `text` hold (`“dancers”`: dancers); None where none are."""
    pair = TYPOGRAPHIC_PAIR.fullmatch(text)
    return None if pair is None else pair[1] if pair[1] is not None else pair[2]


# A quote opened one way and closed the other (`'pic.jpg’`, `"my clip.mp4”`: a phone's keyboard or a word processor
# curled one of the two), or both curled as closing ones (`file:’pic.jpg’`: smart quotes curl a quote after the
# colon as an apostrophe): the straight one each pair stands for. Left so, a curled one was read as part of the
# file's name, or as a quote opened and never closed
MIXED_PAIRS = {("'", "’"): "'", ("‘", "'"): "'", ("’", "’"): "'", ('"', "”"): '"', ("“", '"'): '"', ("”", "”"): '"'}
# the quotes that open and close a mixed pair, for a regular expression's character class
MIXED_OPENING = "".join(dict.fromkeys(opening for opening, _ in MIXED_PAIRS))
MIXED_CLOSING = "".join(dict.fromkeys(closing for _, closing in MIXED_PAIRS))

# a word or words in a mixed pair of quotes (MIXED_PAIRS), none within: a name of a blend's
MIXED_WORDS = re.compile(rf"(?<!\S)([{MIXED_OPENING}])([^{MIXED_OPENING}{MIXED_CLOSING}]*)([{MIXED_CLOSING}])(?!\S)")


def paired(words: re.Match) -> str:
    """The words of a MIXED_WORDS match in the straight quotes their pair stands for, where one of the two is
    straight; as typed for any other pair (two ’ in a blend's line are apostrophes as often: ‘rock ’n’ roll’)."""
    pair = MIXED_PAIRS.get((words[1], words[3]))
    return f"{pair}{words[2]}{pair}" if pair and words[1] != words[3] else words[0]


# An apostrophe as a phone's keyboard, a word processor or macOS's smart punctuation writes it: the ' a terminal types
CURLY_APOSTROPHES = "’‘ʼ"
APOSTROPHES = str.maketrans(dict.fromkeys(CURLY_APOSTROPHES, "'"))

# What autocorrect makes of "" and '' round a show's whole YAML value written without YAML's quotes. Not
# OPENING_QUOTES' typographic pairs (“…“ is not among these): made one, such a value would be noted otherwise
YAML_CURLY_PAIRS = ("“”", "„“", "„”", "‘’")

# A show's value's double quotes, plain and a word processor's, counted to find one no other pairs: a lone ' is as
# likely an apostrophe. A „ is not counted (it pairs only in YAML_CURLY_PAIRS, asked first)
DOUBLE_QUOTES = '"“”'
