"""Pure parsers of router command output: text in, frozen dataclasses out, no I/O."""
