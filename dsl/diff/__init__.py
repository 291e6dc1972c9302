"""The semantic diff of two editions: comparison, decision impact on cases, and rendering."""
