"""Analytics: the arithmetic of planning a contact center.

It owns Erlang B, C and A (how many agents a load needs, and what service they give), KPI
arithmetic, forecasting, scheduling and report building. Everything here is a pure function of
numbers and arrays, vectorised over intervals so that a whole day or month is one call. It may
use numpy and scipy; it never imports the api, the store or the switch, so the simulator, the
reports and the CLI can all lean on it without pulling in I/O.
"""
