"""sleep, sleep_till, cpu, cpuu, alloc and env."""

import os
import time

from fm_args import MAX_MILLISECONDS, bare_or_key, integer, number
from fm_errors import InvalidArgument

MAX_FACTORIAL_N = 10_000_000  # the built-in's bound of cpu's n; the timeout ends it first
MAX_TIMESTAMPS = 10_000_000
MAX_ALLOC_MB = 10_240  # Lambda's largest memory size
PAGE = 4096


def now_ms():
    return time.time() * 1000


# The originals busy-wait (a loop on the clock). This sleeps instead, as the built-in does:
# Lambda bills the same duration either way, but a sleeping environment leaves its CPU share
# to others (the emulator's host runs many environments on few cores), and a wake-up a
# fraction of a millisecond late is well below what sleep and sleep_till are used for
# (spacing calls, starting concurrent calls together).
def _sleep_until_monotonic(deadline):
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        time.sleep(remaining)


def sleep(args):
    """Sleeps ms (the modified workload's meaning); the result is the ms actually slept."""
    ms = number("sleep", "ms", bare_or_key("sleep", args, "ms"), 0, MAX_MILLISECONDS)
    started = now_ms()
    _sleep_until_monotonic(time.monotonic() + ms / 1000)
    return round(now_ms() - started, 3)


def sleep_till(args):
    """Sleeps until an epoch ms (the originals' sleep); the result is the ms slept."""
    started = now_ms()
    until = number("sleep_till", "unix_ms", bare_or_key("sleep_till", args, "unix_ms"), 0, started + MAX_MILLISECONDS)
    while True:  # on the wall clock, the one the caller's epoch refers to
        remaining = until - now_ms()
        if remaining <= 0:
            break
        time.sleep(remaining / 1000)
    return round(now_ms() - started, 3)


def cpu(args):
    """N! by repeated multiplication, the originals' CPU test; the result is the ms taken.
    "bits" (the size of N!) shows the work was done and that two calls did the same work."""
    n = integer("cpu", "n", bare_or_key("cpu", args, "n"), 0, MAX_FACTORIAL_N)
    started = now_ms()
    product = 1
    for i in range(2, n + 1):
        product *= i
    elapsed = now_ms() - started
    return {"n": n, "elapsed_ms": round(elapsed, 3), "bits": product.bit_length()}


def cpuu(args):
    """n clock reads in a tight loop, the originals' utilisation test: the distinct
    timestamps show when the environment had the CPU (gaps are where it was throttled)."""
    if isinstance(args, dict):
        keep_list = args.get("list", True)
        if not isinstance(keep_list, bool):
            raise InvalidArgument('cpuu: "list" must be true or false')
    else:
        keep_list = True
    n = integer("cpuu", "n", bare_or_key("cpuu", args, "n"), 0, MAX_TIMESTAMPS)
    seen = set()
    clock = time.time
    for _ in range(n):
        seen.add(clock() * 1000)
    stamps = sorted(seen)
    result = {
        "n": n,
        "unique": len(stamps),
        "first_ms": stamps[0] if stamps else None,
        "last_ms": stamps[-1] if stamps else None,
        "span_ms": round(stamps[-1] - stamps[0], 3) if stamps else 0,
        "largest_gap_ms": round(max((b - a for a, b in zip(stamps, stamps[1:])), default=0), 3),
    }
    if keep_list:
        result["timestamps"] = stamps
    return result


def alloc(args, held):
    """Allocates and touches mb MB, held (in `held`) until the end of the call."""
    mb = number("alloc", "mb", bare_or_key("alloc", args, "mb"), 0, MAX_ALLOC_MB)
    started = now_ms()
    size = int(mb * 1_048_576)
    if size:
        block = bytearray(size)
        # bytearray's zeroed memory can be pages the kernel has not yet given; one write per
        # page makes all of it resident, which is what counts against the memory limit.
        block[::PAGE] = b"\x01" * len(range(0, size, PAGE))
        held.append(block)
    return {"mb": mb, "elapsed_ms": round(now_ms() - started, 3)}


def env(args):
    """The named environment variables (null when unset)."""
    names = args.get("names") if isinstance(args, dict) else None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidArgument('env: expected {"names": ["NAME", ...]}')
    return {name: os.environ.get(name) for name in names}
