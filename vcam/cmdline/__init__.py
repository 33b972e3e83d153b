"""The `vcam` command line: its parser, and one module per group of subcommands, whose handlers vcam.cli runs."""
