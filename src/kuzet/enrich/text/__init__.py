"""text enrichment runtimes."""
