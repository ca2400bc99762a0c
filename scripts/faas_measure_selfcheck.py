#!/usr/bin/env python3
"""Self-check of data/functions/faas_measure without Lambda or the emulator.

Imports the handler as Lambda's runtime would (code folder on sys.path, LAMBDA_TASK_ROOT
and AWS_LAMBDA_LOG_STREAM_NAME set, a private temp folder as TMPDIR), runs every command
and every output format, and checks the shapes of the answers, never their timings.
Exit status 0 when every check passes, 1 otherwise.

    python3 scripts/faas_measure_selfcheck.py
"""

import json
import os
import re
import shutil
import sys
import tempfile

FUNCTION_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "functions", "faas_measure")
SUFFIX = "0123456789abcdef0123456789abcdef"

scratch = tempfile.mkdtemp(prefix="faas_measure_selfcheck-")
os.environ.update({
    "LAMBDA_TASK_ROOT": os.path.abspath(FUNCTION_DIR),
    "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/01/[$LATEST]" + SUFFIX,
    "AWS_LAMBDA_FUNCTION_NAME": "faas_measure_py",
    "TMPDIR": scratch,
})
tempfile.tempdir = None  # re-read TMPDIR
sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
sys.dont_write_bytecode = True  # leave no __pycache__ in the code folder

import handler  # noqa: E402  (after the environment is set up, as on Lambda)


class Context:
    function_name = "faas_measure_py"
    memory_limit_in_mb = 128
    aws_request_id = "00000000-0000-0000-0000-000000000000"

    def get_remaining_time_in_millis(self):
        return 60_000


failures = []


def check(label, condition):
    print("%s %s" % ("ok  " if condition else "FAIL", label))
    if not condition:
        failures.append(label)


def call(cmds, **top):
    return handler.handler(dict(top, cmds=cmds), Context())


def raises(label, event, type_name):
    try:
        handler.handler(event, Context())
    except Exception as error:  # noqa: BLE001  (the type is what is checked)
        check("%s -> %s" % (label, type_name), type(error).__name__ == type_name and str(error) != "")
        return
    check("%s -> %s (nothing raised)" % (label, type_name), False)


def is_num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


TIMINGS = {"start_time", "end_time", "elapsed_time"}
STAT_FIELDS = {"exist_id", "new_id", "vm_id", "inst_id", "vm_priv_ip", "inst_priv_ip", "uptime", "cpu_info",
               "pid", "invocation", "warm", "uptime_ms", "max_rss_mb"}

# stat: a new environment, then the same one warm
first = call({"stat": {}})
second = call({"stat": {"argv": 1}})
s1, s2 = first["stat"], second["stat"]
check("stat fields", set(s1) == STAT_FIELDS and set(first) == {"stat"} | TIMINGS)
check("stat first call: exist_id == new_id, not warm, invocation 1",
      s1["exist_id"] == s1["new_id"] and s1["warm"] is False and s1["invocation"] == 1)
check("stat second call: exist_id kept, new_id fresh, warm, invocation 2",
      s2["exist_id"] == s1["exist_id"] and s2["new_id"] != s1["new_id"] and s2["warm"] is True and s2["invocation"] == 2)
check("stat inst_id is the log stream suffix", s1["inst_id"] == SUFFIX == s2["inst_id"])
check("stat vm_id, pid, uptime_ms, max_rss_mb",
      isinstance(s1["vm_id"], str) and s1["vm_id"] and s1["pid"] == os.getpid()
      and is_num(s1["uptime_ms"]) and s1["uptime_ms"] >= 0 and is_num(s1["max_rss_mb"]) and s1["max_rss_mb"] > 0)
check("stat uptime and cpu_info as the originals", re.fullmatch(r"[0-9.]+,[0-9.]+", s1["uptime"]) is not None
      and re.fullmatch(r"[0-9]+,.+", s1["cpu_info"]) is not None)

# sleep, sleep_till, cpu, cpuu, alloc, env in one call, in the order written
import time  # noqa: E402
answer = call({"sleep": 5, "sleep_till": {"unix_ms": time.time() * 1000 + 5}, "cpu": {"n": 2000},
               "cpuu": {"n": 1000}, "alloc": {"mb": 8}, "env": {"names": ["AWS_LAMBDA_FUNCTION_NAME", "NOT_SET_X"]}})
check("keys in command order, then timings",
      list(answer) == ["sleep", "sleep_till", "cpu", "cpuu", "alloc", "env", "start_time", "end_time", "elapsed_time"])
check("sleep, sleep_till: ms slept", is_num(answer["sleep"]) and is_num(answer["sleep_till"]))
check("sleep {\"ms\"} form", is_num(call({"sleep": {"ms": 1}})["sleep"]))
check("cpu: n, elapsed_ms, bits", set(answer["cpu"]) == {"n", "elapsed_ms", "bits"} and answer["cpu"]["n"] == 2000
      and answer["cpu"]["bits"] == __import__("math").factorial(2000).bit_length())
cu = answer["cpuu"]
check("cpuu: summary and sorted unique timestamps",
      set(cu) == {"n", "unique", "first_ms", "last_ms", "span_ms", "largest_gap_ms", "timestamps"}
      and cu["unique"] == len(cu["timestamps"]) == len(set(cu["timestamps"])) and 1 <= cu["unique"] <= 1000
      and cu["timestamps"] == sorted(cu["timestamps"]))
check("cpuu list:false leaves the list out", "timestamps" not in call({"cpuu": {"n": 10, "list": False}})["cpuu"])
check("alloc: mb, elapsed_ms", set(answer["alloc"]) == {"mb", "elapsed_ms"} and answer["alloc"]["mb"] == 8)
check("env: values, null when unset", answer["env"] == {"AWS_LAMBDA_FUNCTION_NAME": "faas_measure_py", "NOT_SET_X": None})
check("timings", all(is_num(answer[k]) for k in TIMINGS) and answer["end_time"] >= answer["start_time"])
check("false and null arguments skip the command", set(call({"stat": False, "cpu": None})) == TIMINGS)

# io: one entry per round, scratch file removed
io = call({"io": {"rd": 2, "size": "64K", "cnt": 2}})["io"]
check("io: one entry per round", isinstance(io, list) and len(io) == 2)
check("io round fields", all(set(r) == {"time", "speed", "seconds", "bytes", "mb_per_s", "tool"} and r["bytes"] == 131072
                             and isinstance(r["time"], str) and isinstance(r["speed"], str) for r in io))
check("io: scratch file removed", not [f for f in os.listdir(scratch) if f.startswith("faas_measure-io")])
check("io: built-in's flag form rd:true is one round", len(call({"io": {"rd": True, "size": 512}})["io"]) == 1)
import fm_io  # noqa: E402
check("dd summary parse: coreutils, old coreutils, busybox",
      fm_io.parse_summary("2+0 records in\n2+0 records out\n131072 bytes (131 kB, 128 KiB) copied, 0.0123 s, 10.7 MB/s\n")
      == (0.0123, "0.0123", "10.7 MB/s")
      and fm_io.parse_summary("1048576 bytes (1.0 MB) copied, 1.5e-02 s, 70 MB/s")[0] == 0.015
      and fm_io.parse_summary("1048576 bytes (1.0MB) copied, 0.010 seconds, 100.0MB/s")[2] == "100.0MB/s"
      and fm_io.parse_summary("garbage") == (None, None, None))
check("io python fallback round", set(fm_io._python_round(os.path.join(scratch, "fb"), 4096, 2)) ==
      {"time", "speed", "seconds", "bytes", "mb_per_s", "tool"})

# net: no server, no iperf3, and a report parse
check("net without server: error entry", set(call({"net": {}})["net"]) == {"error"})
path_saved = os.environ["PATH"]
os.environ["PATH"] = scratch
check("net without iperf3: error entry", "iperf3" in call({"net": {"server_ip": "192.0.2.1", "port": 5201}})["net"]["error"])
os.environ["PATH"] = path_saved
import fm_net  # noqa: E402
report = json.dumps({"end": {"streams": [{"sender": {"bits_per_second": 4.4e8, "mean_rtt": 2897, "min_rtt": 2323, "max_rtt": 4051}}]}})
check("net report parse", fm_net.parse_report(report) == {"bps": 4.4e8, "meanr": 2897, "minr": 2323, "maxr": 4051})
check("net iperf3 error report", "refused" in fm_net.parse_report('{"start": {}, "error": "unable to connect: refused"}')["error"])

# formats
text = call({"cpu": {"n": 10}, "sleep": 0}, format="json-string")
check("json-string: a string holding the object", isinstance(text, str) and set(json.loads(text)) == {"cpu", "sleep"} | TIMINGS)
h = call({"sleep": 0, "stat": {"argv": 1}, "cpu": {"n": 10}, "cpuu": {"n": 50}, "io": {"rd": 1, "size": 1024, "cnt": 1}},
         format="hash")
parts = h.split("#")
# stat's 9 fields, cpu, cpuu, io, then start, end, elapsed; sleep has no field
check("hash: stat(9)#cpu#cpuu#io#start#end#elapsed", isinstance(h, str) and len(parts) == 9 + 3 + 3)
check("hash: stat fields in the originals' order", parts[3] == SUFFIX and parts[5] == "None")
check("hash: timings positional", all(re.fullmatch(r"[0-9]+(\.[0-9]+)?", p) for p in parts[-3:]))
check("hash: io time,speed", re.fullmatch(r"[^,;]+,[^,;]+", parts[11]) is not None)

# errors
raises("unknown command", {"cmds": {"run": "ls"}}, "UnknownCommand")
raises("cpu n not a number", {"cmds": {"cpu": {"n": "x"}}}, "InvalidArgument")
raises("cpu n boolean", {"cmds": {"cpu": {"n": True}}}, "InvalidArgument")
raises("sleep out of range", {"cmds": {"sleep": 900001}}, "InvalidArgument")
raises("io bad size", {"cmds": {"io": {"size": "1Q"}}}, "InvalidArgument")
raises("env without names", {"cmds": {"env": {}}}, "InvalidArgument")
raises("alloc negative", {"cmds": {"alloc": {"mb": -1}}}, "InvalidArgument")
raises("bad format", {"cmds": {}, "format": "xml"}, "InvalidArgument")
raises("payload an array", [1, 2], "InvalidPayload")
raises("cmds a string", {"cmds": "stat"}, "InvalidPayload")
check("no cmds: timings only", set(handler.handler({}, Context())) == TIMINGS)

shutil.rmtree(scratch, ignore_errors=True)
if failures:
    print("%d check(s) failed: %s" % (len(failures), "; ".join(failures)))
    sys.exit(1)
print("all checks passed")
