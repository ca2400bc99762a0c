"""faas_measure as a Lambda function (handler string: handler.handler).

The measurement function of Wang et al., "Peeking Behind the Curtains of Serverless
Platforms" (USENIX ATC'18), in the variant of PACS lab's serverless-performance-modeling,
re-implemented for Python 3.9+ with the standard library only. docs/faas_measure.md has
every command, its result fields and the output formats.

Event: {"cmds": {"<command>": <argument>, ...}, "format": "object" | "json-string" | "hash"}
Commands run in the order written; a command whose argument is false or null is skipped.
"""

import decimal
import json
import time

import fm_compute
import fm_io
import fm_net
import fm_stat
from fm_args import type_name
from fm_errors import InvalidArgument, InvalidPayload, UnknownCommand

# Module import is the environment's init: what stat's uptime_ms counts from.
INIT_MS = time.time() * 1000
FORMATS = ("object", "json-string", "hash")
COMMANDS = ("sleep", "sleep_till", "cpu", "cpuu", "io", "stat", "alloc", "env", "net")
# The originals' hash answer had no field for their sleep commands.
NO_HASH_FIELD = ("sleep", "sleep_till")

_invocations = 0  # calls served by this environment, this one included


def handler(event, context):
    global _invocations
    _invocations += 1
    start = time.time() * 1000
    if not isinstance(event, dict):
        raise InvalidPayload("the payload must be a JSON object, not %s" % type_name(event))
    commands = event.get("cmds", {})
    if not isinstance(commands, dict):
        raise InvalidPayload('"cmds" must be an object of commands, not %s' % type_name(commands))
    output = event.get("format", "object")
    if output not in FORMATS:
        raise InvalidArgument('"format" must be one of %s' % ", ".join(FORMATS))
    # One line per call: stdout is the function's CloudWatch log stream.
    print("faas_measure: commands %s format %s" % (",".join(commands) or "-", output), flush=True)

    results = {}
    held = []  # alloc's memory, released when the call ends
    for name, args in commands.items():
        if args is False or args is None:
            continue
        results[name] = run(name, args, held)
    end = time.time() * 1000
    del held

    if output == "hash":
        fields = [hash_field(name, result) for name, result in results.items() if name not in NO_HASH_FIELD]
        return "#".join(fields + [plain(start), plain(end), plain(end - start)])
    results["start_time"] = round(start, 3)
    results["end_time"] = round(end, 3)
    results["elapsed_time"] = round(end - start, 3)
    return json.dumps(results) if output == "json-string" else results


def run(name, args, held):
    if name == "sleep":
        return fm_compute.sleep(args)
    if name == "sleep_till":
        return fm_compute.sleep_till(args)
    if name == "cpu":
        return fm_compute.cpu(args)
    if name == "cpuu":
        return fm_compute.cpuu(args)
    if name == "io":
        return fm_io.io(args)
    if name == "stat":
        return fm_stat.stat(_invocations, INIT_MS)
    if name == "alloc":
        return fm_compute.alloc(args, held)
    if name == "env":
        return fm_compute.env(args)
    if name == "net":
        return fm_net.net(args)
    raise UnknownCommand('unknown command "%s" (known: %s)' % (name, ", ".join(COMMANDS)))


def hash_field(name, result):
    """One command's result as the original's string answer wrote it."""
    if name == "stat":
        return fm_stat.hash_fields(result)
    if name == "io":
        return fm_io.hash_fields(result)
    if name == "net":
        return fm_net.hash_fields(result)
    if name == "cpu":
        return plain(result["elapsed_ms"])
    if name == "cpuu":
        return ";".join(plain(t) for t in result.get("timestamps", []))
    if name == "alloc":
        return plain(result["elapsed_ms"])
    return json.dumps(result, separators=(",", ":"))  # env: no original counterpart


def plain(value):
    """A float in positional notation, never 1.5e+12 (the originals' number format)."""
    return format(decimal.Decimal(repr(float(value))), "f")
