"""Two tasks with one function name in two modules: pynenc keys them apart, the suite refuses them in one line."""

from pynenc import PynencBuilder

app = PynencBuilder().app_id("suite_test_same_names").memory().logging_level("error").build()

from tests.apps.same_names import billing, legacy  # noqa: E402, F401 - the tasks register on import
