"""The service's address normaliser: it validates, as the service's own code does."""


def canonical_email(value: str) -> str:
    if "@" not in value:
        raise ValueError(f"not an email address: {value!r}")
    return value.strip().lower()


NORMALISERS = {"notify": {"email": canonical_email}}
