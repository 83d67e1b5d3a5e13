"""A notification service: digests, contacts, channels, routes and labels, each keyed by what its callers pass."""
