from pynenc import PynencBuilder
from pynenc.conf.config_task import ConcurrencyControlType as CC

app = PynencBuilder().app_id("suite_test_bad_keys").memory().logging_level("error").build()


@app.task(running_concurrency=CC.KEYS, key_arguments=("acount_id",))
def charge(account_id: str, amount: int) -> None:
    pass
