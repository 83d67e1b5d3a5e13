"""A small inventory service: the app the suite's outside-the-checkout check installs and gates."""
