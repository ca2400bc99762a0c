#!/usr/bin/env python3
"""An independent implementation of rightsize's own generator, from docs/workload.md only.

Writes rightsize_times.json: per instance of reference_workload.json, the call times plan
must produce (to within rounding of the logarithm: Python's math.log is the C library's,
plan uses a portable one, so the last bits may differ).

Run from this folder:  python3 rightsize_reference.py > rightsize_times.json
"""
import hashlib
import json
import math
import struct
import sys

MASK = (1 << 64) - 1


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Xoshiro256StarStar:
    def __init__(self, seed, name):
        digest = hashlib.sha256(b"rightsize.plan.v1\x00" + struct.pack(">Q", seed) + name.encode()).digest()
        self.s = [struct.unpack(">Q", digest[8 * i:8 * i + 8])[0] for i in range(4)]

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def unit(self):
        return (self.next() >> 11) * 2.0 ** -53


def poisson(seed, name, rate, start, end):
    rng, t, times = Xoshiro256StarStar(seed, name), 0.0, []
    while True:
        t += -math.log(1.0 - rng.unit()) / rate
        if t >= end:
            return times
        if t > start:
            times.append(t)


def uniform(seed, name, rate, duration, start, end):
    rng = Xoshiro256StarStar(seed, name)
    shift = rng.unit() / rate
    times = [k / rate + shift for k in range(1, int(duration * rate) + 1)]
    return [t for t in times if start < t < end]


workload = json.load(open("reference_workload.json"))
seed, duration = workload["random_seed"], workload["test_duration_in_seconds"]
result = {}
for name, inst in workload["instances"].items():
    start, end = inst.get("activity_window") or (0, duration)
    if inst["distribution"] == "Poisson":
        result[name] = poisson(seed, name, inst["rate"], start, end)
    else:
        result[name] = uniform(seed, name, inst["rate"], duration, start, end)
json.dump({"command": "python3 rightsize_reference.py > rightsize_times.json", "times": result}, sys.stdout, indent=1)
sys.stdout.write("\n")
