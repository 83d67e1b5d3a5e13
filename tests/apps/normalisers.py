"""A user's declared key equivalence: customer emails are one account whatever their case or Unicode form."""

import unicodedata


def same_email(value: object) -> object:
    return unicodedata.normalize("NFC", value).casefold() if isinstance(value, str) else value


NORMALISERS = {"call_keyed": {"account_id": same_email}}
NOT_A_DICT = [same_email]
NO_SUCH_TASK = {"call_keyd": {"account_id": same_email}}  # a typo in the task's name
NO_SUCH_ARGUMENT = {"call_keyed": {"acount_id": same_email}}  # a typo in the argument's name
