"""The racepolicy Lark grammar, shipped as package data."""
