"""A declared key equivalence whose normaliser crashes: an error of the run, never a pass."""


def only_for_mondays(value: object) -> object:
    raise ValueError("not on a Tuesday")


NORMALISERS = {"call_keyed": {"account_id": only_for_mondays}}
