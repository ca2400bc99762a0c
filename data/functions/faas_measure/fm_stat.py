"""The stat command: who is answering.

Two sets of fields. The originals' (exist_id, new_id, vm_id, inst_id, vm_priv_ip,
inst_priv_ip, uptime, cpu_info) and the fields of rightsize's built-in handler (pid,
invocation, warm, uptime_ms, max_rss_mb), with vm_id and inst_id taking the built-in's
meaning: the originals read both from /proc/self/cgroup, whose sandbox ids today's Lambda
(Firecracker microVMs) no longer shows.
"""

import os
import platform
import resource
import socket
import tempfile
import time
import uuid

STAMP_NAME = "inst_id.txt"
# A UDP connect sends no packet; it only makes the kernel pick the source address, which is
# the environment's private address. Any routable address will do.
ROUTE_PROBE = ("8.8.8.8", 80)


def stat(invocation, init_ms):
    exist_id, new_id = environment_stamp()
    return {
        "exist_id": exist_id,
        "new_id": new_id,
        "vm_id": vm_id(),
        "inst_id": inst_id(),
        "vm_priv_ip": vm_private_ip(),
        "inst_priv_ip": instance_private_ip(),
        "uptime": uptime(),
        "cpu_info": cpu_info(),
        "pid": os.getpid(),
        "invocation": invocation,
        "warm": invocation > 1,
        "uptime_ms": round(time.time() * 1000 - init_ms, 3),
        "max_rss_mb": max_rss_mb(),
    }


def environment_stamp():
    """(exist_id, new_id): new_id is a fresh uuid; exist_id is the uuid in the stamp file,
    written by the first call of this environment. Equal on an environment's first call,
    different on every later one (the originals' test for a new environment). The stamp
    lives in the environment's temp folder (TMPDIR in the emulator, /tmp on Lambda)."""
    path = os.path.join(tempfile.gettempdir(), STAMP_NAME)
    new_id = str(uuid.uuid4())
    try:
        with open(path) as f:
            exist_id = f.read().strip()
        if exist_id:
            return exist_id, new_id
    except OSError:
        pass
    with open(path, "w") as f:
        f.write(new_id)
    return new_id, new_id


def inst_id():
    """One per execution environment: the 32-hex suffix of its log stream
    (YYYY/MM/DD/[$LATEST]<suffix>), so it also names the stream its REPORT lines are in."""
    stream = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
    if "]" in stream:
        return stream[stream.rindex("]") + 1:]
    return "pid-%d" % os.getpid()


def vm_id():
    """One per host boot (the kernel's boot_id): shared by every environment on one VM."""
    return _read("/proc/sys/kernel/random/boot_id", "unknown").strip()


def vm_private_ip():
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return None


def instance_private_ip():
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(ROUTE_PROBE)
            return s.getsockname()[0]
    except OSError:
        return None


def uptime():
    """/proc/uptime as the originals report it: "seconds up,seconds idle (all cores)"."""
    return ",".join(_read("/proc/uptime", "").split())


def cpu_info():
    """"processors,model" as the originals report it. arm64 kernels have no "model name"
    line, so the machine type stands in."""
    count, model = 0, None
    for line in _read("/proc/cpuinfo", "").splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "processor":
            count += 1
        elif key == "model name" and model is None:
            model = value.strip()
    return "%d,%s" % (count or os.cpu_count() or 0, model or platform.machine())


def max_rss_mb():
    """Peak resident set of this process (VmHWM, as the built-in reads it), in MB."""
    for line in _read("/proc/self/status", "").splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def hash_fields(result):
    """The originals' nine '#'-joined fields. vm_pub_ip came from an outside web service;
    it is not queried (an outbound HTTP call per stat), so it reads "None", the originals'
    value when the query failed."""
    order = ["exist_id", "new_id", "vm_id", "inst_id", "vm_priv_ip", None, "inst_priv_ip", "uptime", "cpu_info"]
    return "#".join(str(result[k]) if k else "None" for k in order)


def _read(path, default):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default
