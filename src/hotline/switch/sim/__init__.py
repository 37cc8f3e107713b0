"""The switch simulator: synthetic callers and agents driving the same core in virtual time.

A scenario file (`scenario`) describes queues, staffed agent groups and the traffic offered
to them; `distributions` draws handle times, patience and wrap-up; the runner plays the day
through the real interaction server as fast as the CPU allows (T11, W6).
"""
