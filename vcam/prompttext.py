"""A prompt as the text encoder reads it: the one cleaning rule for the engine, which tokenizes what it leaves, and for
the control side, which refuses a prompt it leaves with nothing to read where the prompt is given (torch-free: `vcam
cam`'s machine checks a command too, where ftfy may be missing)."""
from __future__ import annotations

import html
import re
from collections.abc import Callable

from vcam.words import as_typed

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
