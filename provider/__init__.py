"""The seed article's external API, ``POST /call/{account_id}/{op}``, faked and recorded.

``calls`` is the one call record and its bookkeeping (in-flight calls and
collisions per account); ``memory`` serves it to httpx in this process through
respx (the gate), ``loopback`` on a 127.0.0.1 HTTP port for runner processes
(the real-time tier); ``client`` is how task bodies call it and ``failures`` how
an error answer becomes a retriable exception.
"""
