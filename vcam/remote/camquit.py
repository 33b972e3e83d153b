"""What vcam cam says of a quit it does not take from OSC: its own words, not the show's. Where vcam runs, quit
ends the show; here it would end this camera alone while the server's show goes on, and the console that ends it
is vcam cam's own."""
from __future__ import annotations

# said after "error: OSC sender HOST:PORT: "; blackout, sent on to the server, hides its show from every viewer
OSC_QUIT_REFUSED = ("quit is not taken from OSC: this vcam cam ends where it runs (quit typed at its console, or "
                    "Ctrl-C), and the server's show goes on without it (blackout would hide that show from every "
                    "viewer, not this camera alone); this camera goes on")
