"""``pynenc-suite reach``: which branches of pynenc's concurrency code the gate reaches, beside pynenc's own tests."""
