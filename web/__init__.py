"""The jury console: `racepolicy serve`, a page and a JSON API over the same answers as the CLI and the REPL."""
