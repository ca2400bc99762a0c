#!/usr/bin/env python3
"""Writes the synthetic trace excerpts of data/traces/ (seeded: the same bytes every run).

None of these files holds real traffic: each is GENERATED in the exact published format
of its source (see README.md), with made-up hashes, so that plan's readers can be shown and
tested without redistributing production data.

    cd data/traces && python3 make_synthetic_traces.py
"""
import hashlib
import json
import math
import random


def fake_hash(label):
    return hashlib.sha256(("rightsize synthetic " + label).encode()).hexdigest()


def diurnal(minute, peak, floor):
    """Calls per minute: a daily cycle (low at 04:00, high at 16:00) with quiet hours."""
    phase = math.cos((minute / 1440.0 - 16 / 24.0) * 2 * math.pi)
    return floor + (peak - floor) * max(0.0, phase) ** 2


def poisson(rng, mean):
    # Knuth for small means, normal approximation for large ones: good enough for a fixture.
    if mean > 50:
        return max(0, int(round(rng.gauss(mean, math.sqrt(mean)))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def cloudwatch_day(rng):
    """24 h of 1-minute Sums, as `aws cloudwatch get-metric-data` prints them (newest first,
    minutes without calls left out, as CloudWatch does)."""
    start = 1709251200  # 2024-03-01T00:00:00Z
    stamps, values = [], []
    for minute in range(1440):
        n = poisson(rng, diurnal(minute, 120, 0.2))
        if n > 0:
            t = start + 60 * minute
            stamps.append(t)
            values.append(float(n))
    order = sorted(range(len(stamps)), key=lambda k: -stamps[k])
    iso = lambda t: __import__("datetime").datetime.fromtimestamp(t, __import__("datetime").timezone.utc).isoformat()
    return {
        "MetricDataResults": [
            {
                "Id": "invocations",
                "Label": "Invocations",
                "Timestamps": [iso(stamps[k]) for k in order],
                "Values": [values[k] for k in order],
                "StatusCode": "Complete",
            }
        ],
        "Messages": [],
    }


def cloudwatch_statistics(rng):
    """2 h of 5-minute Sums, as `aws cloudwatch get-metric-statistics` prints them (no order)."""
    start = 1709287200  # 2024-03-01T10:00:00Z
    points = []
    for k in range(24):
        n = poisson(rng, 40 + 30 * math.sin(k / 4.0))
        if n > 0:
            t = __import__("datetime").datetime.fromtimestamp(start + 300 * k, __import__("datetime").timezone.utc)
            points.append({"Timestamp": t.isoformat(), "Sum": float(n), "Unit": "Count"})
    rng.shuffle(points)
    return {"Label": "Invocations", "Datapoints": points}


def azure2019(rng):
    """Six functions of one day, `invocations_per_function_md.anon.dNN.csv` layout."""
    rows = ["HashOwner,HashApp,HashFunction,Trigger," + ",".join(str(m) for m in range(1, 1441))]
    kinds = [("http", "bursty"), ("timer", "timer"), ("queue", "diurnal"), ("http", "diurnal"), ("event", "sparse"), ("http", "bursty2")]
    for k, (trigger, kind) in enumerate(kinds):
        owner, app, fn = fake_hash("owner%d" % (k // 2)), fake_hash("app%d" % (k // 2)), fake_hash("function%d" % k)
        counts = []
        burst_left = 0
        for m in range(1440):
            if kind == "timer":
                n = 1 if m % 5 == 0 else 0
            elif kind == "diurnal":
                n = poisson(rng, diurnal(m, 30 + 20 * k, 0.5))
            elif kind == "sparse":
                n = poisson(rng, 0.05)
            else:
                # Bursts of 3-12 busy minutes separated by quiet stretches of 10-40 minutes.
                if burst_left == 0 and rng.random() < (0.06 if kind == "bursty" else 0.03):
                    burst_left = rng.randint(3, 12)
                if burst_left > 0:
                    burst_left -= 1
                    n = poisson(rng, 25)
                else:
                    n = 0
            counts.append(n)
        rows.append(",".join([owner, app, fn, trigger] + [str(c) for c in counts]))
    return "\n".join(rows) + "\n"


def azure2021(rng):
    """Invocations of three functions over 15 minutes, app,func,end_timestamp,duration; rows in
    end order within short batches only, as in the published sample (not in time order)."""
    rows = []
    for k in range(3):
        app, fn = fake_hash("2021app%d" % k), fake_hash("2021func%d" % k)
        t = 0.0
        while t < 900:
            t += rng.expovariate([0.2, 0.5, 1.0][k])
            duration = round(rng.lognormvariate(-2.0 + k, 0.8), 3)
            rows.append((app, fn, t + duration, duration))
    rows.sort(key=lambda r: r[2])
    # Shuffle within blocks of 8 rows: the published file is not in time order either.
    for b in range(0, len(rows), 8):
        block = rows[b : b + 8]
        rng.shuffle(block)
        rows[b : b + 8] = block
    lines = ["app,func,end_timestamp,duration"] + ["%s,%s,%r,%r" % r for r in rows]
    return "\n".join(lines) + "\n"


def csv_timestamps(rng):
    t, lines = 1709251200.0, ["timestamp"]
    for _ in range(300):
        t += rng.expovariate(2.0) if rng.random() < 0.9 else rng.uniform(5, 20)
        lines.append("%.3f" % t)
    return "\n".join(lines) + "\n"


def csv_counts(rng):
    lines = ["time,count"]
    for k in range(60):
        lines.append("2024-03-01T10:%02d:00Z,%d" % (k, poisson(rng, 10 + 8 * math.sin(k / 6.0))))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    rng = random.Random(20240301)
    with open("cloudwatch-get-metric-data.synthetic.json", "w") as f:
        json.dump(cloudwatch_day(rng), f, indent=4)
        f.write("\n")
    with open("cloudwatch-get-metric-statistics.synthetic.json", "w") as f:
        json.dump(cloudwatch_statistics(rng), f, indent=4)
        f.write("\n")
    with open("invocations_per_function_md.anon.d01.synthetic.csv", "w") as f:
        f.write(azure2019(rng))
    with open("AzureFunctionsInvocationTrace2021.synthetic.csv", "w") as f:
        f.write(azure2021(rng))
    with open("timestamps.synthetic.csv", "w") as f:
        f.write(csv_timestamps(rng))
    with open("counts.synthetic.csv", "w") as f:
        f.write(csv_counts(rng))
