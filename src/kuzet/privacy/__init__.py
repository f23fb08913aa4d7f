"""Privacy and accountability: auth, roles, audit trail, redaction, retention, exports."""
