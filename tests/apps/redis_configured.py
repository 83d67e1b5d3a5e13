"""An app configured for a Redis nobody runs: the suite must key and run it on its own engine, never reach out."""

from pynenc import PynencBuilder
from pynenc.conf.config_task import ConcurrencyControlType as CC

app = PynencBuilder().app_id("redis_configured").redis(url="redis://127.0.0.1:1/0").thread_runner().build()


@app.task(running_concurrency=CC.KEYS, key_arguments=("account_id",), reroute_on_concurrency_control=True)
def charge(account_id: str, cents: int) -> dict:
    return {"account_id": account_id, "cents": cents}
