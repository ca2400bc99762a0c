"""The net command: TCP throughput and RTT to an iperf3 server, as the originals measure it.

Needs an iperf3 server the function can reach and an iperf3 client executable: one bundled
in the code folder (as the originals ship it) or on PATH. Without either the result is an
{"error": ...} entry, so the other commands of the call still report.
"""

import json
import os
import shutil
import stat
import subprocess
import tempfile

from fm_args import integer, members

CLIENT_SECONDS = 1  # iperf3 -t: the originals' one-second test
# A server that accepts but never answers must not take the whole call with it.
PROCESS_TIMEOUT_S = 30


def net(args):
    args = members("net", args)
    server = args.get("server_ip")
    if not isinstance(server, str) or not server:
        return {"error": 'net: no iperf3 server given ("server_ip")'}
    port = integer("net", "port", args.get("port", 5201), 1, 65535)
    client = find_iperf3()
    if client is None:
        return {"error": "net: no iperf3 executable in the code folder or on PATH"}
    command = [client, "-c", server, "-p", str(port), "-t", str(CLIENT_SECONDS), "-Z", "-J"]
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=PROCESS_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"error": "net: iperf3 did not finish within %d s" % PROCESS_TIMEOUT_S}
    except OSError as error:
        return {"error": "net: cannot run iperf3: %s" % error}
    return parse_report(done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))


def parse_report(stdout, stderr=""):
    """bps and the sender's RTTs (microseconds) from iperf3 -J output, or an error entry."""
    try:
        report = json.loads(stdout)
    except ValueError:
        return {"error": "net: iperf3 gave no JSON report: %s" % (stderr or stdout).strip()[-300:]}
    if report.get("error"):
        return {"error": "net: iperf3: %s" % report["error"]}
    try:
        sender = report["end"]["streams"][0]["sender"]
        return {
            "bps": sender["bits_per_second"],
            "meanr": sender["mean_rtt"],
            "minr": sender["min_rtt"],
            "maxr": sender["max_rtt"],
        }
    except (KeyError, IndexError, TypeError):
        return {"error": "net: the iperf3 report has no sender stream with RTTs"}


def find_iperf3():
    """The bundled iperf3 first, then PATH. A bundled copy that lost its execute bit (zip
    tools differ) is copied to the temp folder and made executable, as the code folder is
    read-only on Lambda."""
    root = os.environ.get("LAMBDA_TASK_ROOT") or os.path.dirname(os.path.abspath(__file__))
    bundled = os.path.join(root, "iperf3")
    if os.path.isfile(bundled):
        if os.access(bundled, os.X_OK):
            return bundled
        copy = os.path.join(tempfile.gettempdir(), "iperf3")
        try:
            shutil.copyfile(bundled, copy)
            os.chmod(copy, stat.S_IRWXU)
            return copy
        except OSError:
            pass
    return shutil.which("iperf3")


def hash_fields(result):
    """The originals' "bps,meanr,minr,maxr"; "None" where they had a failed test."""
    if "error" in result:
        return "None"
    return ",".join(str(result[k]) for k in ("bps", "meanr", "minr", "maxr"))
