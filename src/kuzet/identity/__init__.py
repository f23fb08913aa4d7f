"""Face identity: 1:N search index, watchlists and matching of face probes."""
