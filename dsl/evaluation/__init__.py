"""Evaluation: the checked edition, values and operators, built-ins, the interpreter and generated Python."""
