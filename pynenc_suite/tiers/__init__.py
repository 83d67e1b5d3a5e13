"""The tiers' logic, beside the pytest modules that run it (``suite/``): ``gate`` (one property: draw a schedule,
run it deterministically, judge one rule), ``explore`` (every interleaving of one small scenario) and ``realtime``
(drawn real-time schedules on pynenc's own runner processes, each judged)."""
