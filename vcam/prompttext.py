"""A prompt as the text encoder reads it: the one cleaning rule for the engine, which tokenizes what it leaves, and for
the control side, which refuses a prompt it leaves with nothing to read where the prompt is given (torch-free: `vcam
cam`'s machine checks a command too, where ftfy may be missing)."""
from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

from vcam.words import as_typed, clipped, quoted

# What ftfy removes before the text encoder reads a prompt, of what prints: a terminal's colour codes (`ESC[31m`,
# left by text copied from a terminal) and the object replacement character
_TERMINAL_CODE = re.compile(r"\x1b\[[\d;]*[a-zA-Z]")


def repaired(text: str) -> str:
    """`text` as ftfy repairs it (curly quotes, mojibake, full-width letters, colour codes). Where ftfy is not
    installed (`vcam cam`'s machine has no engine; the server checks the command again), what of its repairs can
    leave a prompt with nothing to read: entities unescaped until none is left and colour codes removed, again and
    again as ftfy does."""
    try:
        import ftfy
    except ImportError:
        while (fixed := _TERMINAL_CODE.sub("", html.unescape(text)).replace("\ufffc", "")) != text:
            text = fixed  # each change shortens it: an entity is longer than what it stands for
        return text
    return ftfy.fix_text(text)


def printed(text: str) -> str:
    """`text` as a line of it is typed (vcam.words.as_typed): what prints nothing dropped, but for a joiner inside a
    word or an emoji's tags, so a zero-width space copied from a page into a show file is read as the same prompt
    typed, sent by MIDI or OSC, or replayed, where typing drops it."""
    return text if text.isprintable() else as_typed(text)  # most prompts print whole: no pass over each character


def read_as_encoded(text: str, repair: Callable[[str], str] = repaired) -> str:
    """The prompt as the text encoder reads it: repaired by `repair` (ftfy), HTML entities unescaped twice (as the
    Wan pipeline cleans its captions), what prints nothing dropped as typing drops it, whitespace folded. The same
    prompt always gives the same text, so the same tokens and one cache entry; empty where nothing is left."""
    text = printed(html.unescape(html.unescape(repair(text))))
    return re.sub(r"\s+", " ", text).strip()


# No token of a SentencePiece tokenizer such as UMT5's crosses a space, a change of Unicode script (a letter
# beside a digit or a punctuation mark: Latin beside Common) or more than 16 characters (max_sentencepiece_length):
# its trainer's defaults, which its pieces were made under.
_LONGEST_PIECE = 16


def _common(c: str) -> bool:
    """Whether `c` is of Unicode's Common script, as a digit, punctuation mark or symbol mostly is (those of a few
    scripts aside); a mark (an accent, a vowel sign) goes with the letter before it, as its script does."""
    return "0" <= c <= "9" or unicodedata.category(c)[0] in "PS"


def pieces(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of `text` that no token of the real UMT5 tokenizer crosses: its words, split between
    letters and digits or punctuation ("night," is "night" and ",") and every 16 characters. The real tokenizer
    makes each span one token or more (a rare word several), so it gives a text at least as many tokens as spans."""
    spans = []
    for word in re.finditer(r"\S+", text):
        run_start = word.start()
        for i in range(word.start() + 1, word.end() + 1):
            if i == word.end() or _common(text[i]) != _common(text[i - 1]):
                spans += [(a, min(a + _LONGEST_PIECE, i)) for a in range(run_start, i, _LONGEST_PIECE)]
                run_start = i
    return spans


def surely_cut(text: str, max_length: int) -> str | None:
    """The part of `text` the encoder reads where even its fewest tokens (a span of `pieces` each) are more than
    `max_length` with the end-of-text token; None where it may fit (the real tokenizer may still cut it: said then,
    as the prompt is encoded)."""
    spans = pieces(text)
    return None if len(spans) < max_length else text[: spans[max_length - 2][1]]


def cut_note(prompt: str, kept: str, max_length: int, at_most: bool = False) -> str:
    """The line that tells the operator a prompt is cut: where (by the last words the model reads), and how much.
    `at_most`: `kept` is surely_cut's, which the real tokenizer's cut is at or before."""
    words, read = prompt.split(), kept.split()
    up_to, about = ("at most", "at most") if at_most else ("only", "about")
    return (f"prompt {quoted(clipped(prompt, 41))} is longer than the text encoder's {max_length} tokens: the model "
            f"reads it {up_to} up to '…{' '.join(read[-6:])}' ({about} {len(read)} of its {len(words)} words); "
            "shorten it to keep the rest")
