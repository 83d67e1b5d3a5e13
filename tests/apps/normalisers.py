"""A user's declared key equivalence: customer emails are one account whatever their case or Unicode form."""

import unicodedata


def same_email(value: object) -> object:
    return unicodedata.normalize("NFC", value).casefold() if isinstance(value, str) else value


NORMALISERS = {"call_keyed": {"account_id": same_email}}
NOT_A_DICT = [same_email]
