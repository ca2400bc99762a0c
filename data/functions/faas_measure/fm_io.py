"""The io command: synchronous write throughput, measured with dd as the originals do.

Each round runs
    dd if=/dev/urandom of=<scratch> bs=<size> count=<cnt> conv=fdatasync oflag=dsync
(random data so nothing can compress or deduplicate it; dsync so every block reaches the
disk) and reports the time and speed dd printed. The scratch file is removed afterwards.
Where no dd exists the same writes are done from Python (O_DSYNC, fdatasync) and timed here.
"""

import os
import re
import shutil
import subprocess
import tempfile
import time

from fm_args import integer, members
from fm_errors import DiskIOError, InvalidArgument

MAX_BLOCK_BYTES = 64 << 20  # the built-in's bounds
MAX_BLOCKS = 1 << 20
MAX_ROUNDS = 1000
# dd's size suffixes (GNU coreutils): decimal kB/MB/GB, binary K/M/G and KiB/MiB/GiB.
SUFFIXES = {
    "": 1, "c": 1, "w": 2, "b": 512,
    "kB": 10**3, "K": 1 << 10, "KiB": 1 << 10, "k": 1 << 10,
    "MB": 10**6, "M": 1 << 20, "MiB": 1 << 20, "xM": 1 << 20,
    "GB": 10**9, "G": 1 << 30, "GiB": 1 << 30,
}
# The summary line, in the C locale we run dd in:
#   coreutils >= 8.24: "5242880 bytes (5.2 MB, 5.0 MiB) copied, 0.61 s, 8.5 MB/s"
#   older coreutils:   "5242880 bytes (5.2 MB) copied, 0.61 s, 8.5 MB/s"
#   busybox:           "5242880 bytes (5.0MB) copied, 0.61 seconds, 8.1MB/s"
SUMMARY = re.compile(r"copied,\s*([0-9.eE+-]+)\s*s(?:econds)?,\s*(.+?)\s*$")


def io(args):
    args = members("io", args)
    rounds = _rounds(args.get("rd", 1))
    size = block_bytes(args.get("size", 4096))
    count = integer("io", "cnt", args.get("cnt", 1), 0, MAX_BLOCKS)
    directory = tempfile.gettempdir()
    free = shutil.disk_usage(directory).free
    if size * count > free:
        raise DiskIOError("io: %d bytes do not fit in %s (%d bytes free)" % (size * count, directory, free))
    path = os.path.join(directory, "faas_measure-io-%d" % os.getpid())
    dd = shutil.which("dd")
    try:
        return [_dd_round(dd, path, size, count) if dd else _python_round(path, size, count) for _ in range(rounds)]
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


def block_bytes(size):
    """size as bytes: an integer, or a string dd understands ("4096", "1M", "512kB")."""
    if isinstance(size, str):
        match = re.fullmatch(r"\s*([0-9]+)\s*([A-Za-z]*)\s*", size)
        if not match or match.group(2) not in SUFFIXES:
            raise InvalidArgument('io: "size" must be bytes or a dd size such as "1M", "512kB", not %r' % size)
        size = int(match.group(1)) * SUFFIXES[match.group(2)]
    return integer("io", "size", size, 1, MAX_BLOCK_BYTES)


def _rounds(rd):
    # The built-in reads "rd" as a flag (read back: true/false); as a flag it is one round
    # here, so a payload written for the built-in runs unchanged.
    if isinstance(rd, bool):
        return 1
    return integer("io", "rd", rd, 0, MAX_ROUNDS)


def _dd_round(dd, path, size, count):
    command = [dd, "if=/dev/urandom", "of=" + path, "bs=%d" % size, "count=%d" % count,
               "conv=fdatasync", "oflag=dsync"]
    # LC_ALL=C: a translated summary ("kopiert, 0,61 s") would defeat the parse.
    environment = dict(os.environ, LC_ALL="C", LANG="C")
    started = time.monotonic()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment)
    wall = time.monotonic() - started
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        raise DiskIOError("io: dd failed (%d): %s" % (done.returncode, stderr.strip()[-300:]))
    seconds, time_text, speed = parse_summary(stderr)
    if seconds is None:
        seconds, time_text, speed = wall, None, None  # an unknown dd: the process's wall time
    return _round("dd", size * count, seconds, time_text, speed)


def parse_summary(stderr):
    """(seconds, time text, speed text) from dd's last summary line, Nones if there is none."""
    for line in reversed(stderr.splitlines()):
        match = SUMMARY.search(line)
        if match:
            try:
                return float(match.group(1)), match.group(1), match.group(2)
            except ValueError:
                break
    return None, None, None


def _python_round(path, size, count):
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_DSYNC", 0)
    started = time.monotonic()
    fd = os.open(path, flags, 0o600)
    try:
        for _ in range(count):
            block = os.urandom(size)
            view = memoryview(block)
            while view:
                view = view[os.write(fd, view):]
        os.fdatasync(fd)
    except OSError as error:
        raise DiskIOError("io: write failed: %s" % error)
    finally:
        os.close(fd)
    return _round("python", size * count, time.monotonic() - started, None, None)


def _round(tool, nbytes, seconds, time_text, speed):
    mb_per_s = nbytes / seconds / 1e6 if seconds > 0 else None
    return {
        # "time" and "speed" as the modified workload has them: dd's figures as dd printed them.
        "time": time_text if time_text is not None else "%.6g" % seconds,
        "speed": speed if speed is not None else ("%.3g MB/s" % mb_per_s if mb_per_s else "0 B/s"),
        "seconds": seconds,
        "bytes": nbytes,
        "mb_per_s": round(mb_per_s, 3) if mb_per_s is not None else None,
        "tool": tool,
    }


def hash_fields(rounds):
    """The originals' "time,speed;time,speed;..."."""
    return ";".join("%s,%s" % (r["time"], r["speed"]) for r in rounds)
