"""pose enrichment runtimes."""
