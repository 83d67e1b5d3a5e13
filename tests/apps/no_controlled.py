from pynenc import PynencBuilder

app = PynencBuilder().app_id("suite_test_no_controlled").memory().logging_level("error").build()


@app.task
def plain(x: int) -> int:
    return x


not_an_app = object()
