"""The built-in series plugins, registered as entry points exactly like third-party ones."""
