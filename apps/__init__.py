"""The app under test: the suite's reference app (``reference``), or a team's, loaded by ``target``."""

REFERENCE_APP = "pynenc_suite.apps.reference:app"
