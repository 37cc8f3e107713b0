"""Switch gateways: the parts that carry out the core's commands and feed back its events.

A gateway turns the interaction server's commands (answer, offer, bridge, hang up...) into
actions on a switch and reports what happened as events. `sim` is a switch in virtual time for
tests, training and what-if runs (T11, W6); the SIP gateway and media live beside it.
"""
