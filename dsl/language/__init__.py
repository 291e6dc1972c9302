"""The language: policy source text, parser, AST and its JSON codec, checker, errors and the error catalogue."""
