"""A ticket triage service: one escalation per priority level, one notification per address."""
