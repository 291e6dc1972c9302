"""The racepolicy language server: diagnostics, completion, hover, navigation, outline, formatting and fixes for editors."""
