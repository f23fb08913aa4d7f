"""face enrichment runtimes."""
