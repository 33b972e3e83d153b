"""On air: the runtime shared by `vcam run` and `vcam cam`. A producer (the local model, or frames from the
network) feeds the pacer, which feeds every output at a steady camera frame rate. No torch here."""
