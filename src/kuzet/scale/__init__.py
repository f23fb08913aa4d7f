"""Scale-out engines (issue 21): NATS JetStream bus."""
