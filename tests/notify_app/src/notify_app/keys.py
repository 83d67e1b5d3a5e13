"""The service's key equivalence: an email is one contact whatever its case."""

NORMALISERS = {"sync_contact": {"email": str.lower}}
