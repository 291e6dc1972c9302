"""Tools built on the language: batch runs over results files and the formatter."""
