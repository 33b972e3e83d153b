"""What vcam cam says of a quit it does not take from OSC: its own words, not the show's. Where vcam runs, quit
ends the show; here it would end this camera alone while the server's show goes on, and the console that ends it
is vcam cam's own."""
from __future__ import annotations

from types import MappingProxyType

# blackout, sent on to the server, hides its show from every viewer
CAM_QUIT = ("this vcam cam ends where it runs (quit typed at its console, or Ctrl-C), and the server's show goes on "
            "without it (blackout would hide that show from every viewer, not this camera alone)")
# said after a refusal to an OSC sender, where the show's words would have it "the show goes on"
CAM_GOES_ON = "this camera goes on"
# what vcam cam's maps are told of a button that gives quit, after "quit is not taken from a control or a cue: "
CAM_TYPED_ONLY = MappingProxyType({"quit": CAM_QUIT})
