"""Tasks with no type hints and with *args/**kwargs, as older team code has them."""

from pynenc import PynencBuilder
from pynenc.conf.config_task import ConcurrencyControlType as CC

app = PynencBuilder().app_id("suite_test_loose").memory().max_pending_seconds(2.0).logging_level("error").build()


@app.task(running_concurrency=CC.KEYS, key_arguments=("sku",), reroute_on_concurrency_control=True)
def untyped(sku, qty, note):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN201
    return None


@app.task(running_concurrency=CC.KEYS, key_arguments=("account",), reroute_on_concurrency_control=False)
def variadic(account, *items, **options):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN002, ANN003, ANN201
    return None
