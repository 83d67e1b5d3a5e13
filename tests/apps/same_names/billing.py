from pynenc.conf.config_task import ConcurrencyControlType as CC

from tests.apps.same_names import app


@app.task(running_concurrency=CC.KEYS, key_arguments=("sku",))
def charge(sku: str, qty: int) -> None:
    return None
