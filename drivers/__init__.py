"""How a schedule runs against a real pynenc app: Jepsen's client and nemesis, in two tiers.

``deterministic/``: the gate's driver.  Simulated runners step pynenc's real
orchestrator one operation at a time on a virtual clock; interleaved groups switch
at pynenc's own methods.  The same schedule gives the same history.

``realtime/``: pynenc's own runners in separate processes on a shared engine,
with real signals and connection drops, bounded in time.

``keys/``: pynenc's key computation for groups of equal values, in this process
and in processes with other hash seeds (the key audit).

``recovery``: what both tiers need to run pynenc's recovery.
"""
