"""The bundled regulation policies, shipped as package data."""
