"""The policy lock: each task's concurrency policy as reviewed, and what changing it does.

``lock_file`` reads and writes ``pynenc-policies.lock`` (a snapshot of every task's policy); ``diff`` says in words
what changes between the lock and the app; ``swap`` sets a locked policy on a task for a measurement;
``consequences`` measures both policies on the same schedules and searches the locked contract for a
counterexample; ``check`` is the gate's first step, which ties them together and stops a run whose policies
differ from the lock.
"""
