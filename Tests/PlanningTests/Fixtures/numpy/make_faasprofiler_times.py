#!/usr/bin/env python3
"""Writes faasprofiler_times.json: FaaSProfiler's Poisson event times, computed by numpy.

FaaSProfiler (synthetic_workload_invoker/EventGenerator.py) draws a Poisson instance's
inter-arrivals with np.random.seed(seed); np.random.exponential(1.0 / rate, int(2 * duration * rate)),
turns them into absolute times with Python's sum() over growing prefixes (sequential
float64 additions starting from the int 0), and keeps the times t with start < t < end.
This script does the same with the machine's numpy and records the results, so that
`plan --compat faasprofiler` can be checked against numpy's own numbers.

Run from this folder:  python3 make_faasprofiler_times.py > faasprofiler_times.json
"""
import json
import sys

import numpy as np

CASES = [  # (seed, rate, duration, activity window or None)
    (100, 5, 15, [5, 10]),        # the seed documents' example instance
    (100, 5, 15, None),
    (0, 1, 60, None),
    (4294967295, 20, 30, [2.5, 27.5]),
    (12345, 0.5, 100, None),
    (7, 200, 10, [1, 9]),
    (1, 3.7, 12.5, None),
]


def event_times(seed, rate, duration, window):
    start, end = window if window is not None else (0, duration)
    np.random.seed(seed)
    draws = list(np.random.exponential(scale=1.0 / rate, size=int(2 * duration * rate)))
    total = 0  # an int, as sum() starts; then numpy float64 additions in order
    times = []
    for d in draws:
        total = total + d
        if start < total < end:
            times.append(float(total))
    # Cross-check against the prefix-sum form FaaSProfiler writes (quadratic, small n only).
    if len(draws) <= 4000:
        prefix = [0] + draws
        slow = [sum(prefix[:i]) for i in range(1, len(prefix) + 1)]
        assert times == [float(t) for t in slow if start < t < end]
    return times


out = {
    "numpy_version": np.__version__,
    "command": "python3 make_faasprofiler_times.py > faasprofiler_times.json",
    "cases": [
        {"seed": s, "rate": r, "duration": d, "activity_window": w, "times": event_times(s, r, d, w)}
        for (s, r, d, w) in CASES
    ],
}
json.dump(out, sys.stdout, indent=1)
sys.stdout.write("\n")
