"""What vcam cam says of a quit it does not take from OSC: its own words, not the show's. Where vcam runs, quit
ends the show; here it would end this camera alone while the server's show goes on, and the console that ends it
is vcam cam's own."""
from __future__ import annotations

from types import MappingProxyType

from vcam.control.mapfiles import CommandWords

# blackout, sent on to the server, hides its show from every viewer
CAM_QUIT = ("this vcam cam ends where it runs (quit typed at its console, or Ctrl-C), and the server's show goes on "
            "without it (blackout would hide that show from every viewer, not this camera alone)")
# its maps' and OSC's commands: the server finds their files; a quit is told in this camera's words (after "quit is
# not taken from a control or a cue: "), and a refusal to an OSC sender that this camera, not the show, goes on
CAM_WORDS = CommandWords(whole_paths=False, typed_only=MappingProxyType({"quit": CAM_QUIT}),
                         goes_on="this camera goes on")
