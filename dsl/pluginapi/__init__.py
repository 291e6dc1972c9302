"""The plugin API: hook specifications, the types plugins return, and the plugin manager."""
