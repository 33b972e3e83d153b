"""What the operator says: the command vocabulary, actions, the controller that applies them, and every way in
(stdin, MIDI, show files and their reloads, control logs). No torch here."""
