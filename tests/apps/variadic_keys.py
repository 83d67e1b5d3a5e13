"""A task whose key argument is its **kwargs: pynenc accepts it, the suite refuses it in one line."""

from pynenc import PynencBuilder
from pynenc.conf.config_task import ConcurrencyControlType as CC

app = PynencBuilder().app_id("suite_test_variadic").memory().logging_level("error").build()


@app.task(running_concurrency=CC.KEYS, key_arguments=("opts",))
def configure(tenant: str, **opts: str) -> None:
    return None
