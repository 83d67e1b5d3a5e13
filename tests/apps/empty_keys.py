from pynenc import PynencBuilder
from pynenc.conf.config_task import ConcurrencyControlType as CC

app = PynencBuilder().app_id("suite_test_empty_keys").memory().logging_level("error").build()


@app.task(running_concurrency=CC.KEYS)
def charge(account_id: str, amount: int) -> None:
    pass
