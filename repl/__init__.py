"""The interactive REPL for race meetings."""
