"""The service's key equivalence: an email is one customer whatever its case."""

NORMALISERS = {"notify": {"email": str.casefold}}
