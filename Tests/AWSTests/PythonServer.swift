import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A Python script serving on a loopback port it picks and prints as its first line; started
/// with posix_spawn and ended by its PID (SIGKILL, then reaped).
final class PythonServer: @unchecked Sendable {  // immutable after init
    let pid: pid_t
    let port: Int
    let directory: TemporaryDirectory
    var base: String { "http://127.0.0.1:\(port)" }

    init(script: String, arguments: [String] = []) throws {
        directory = try TemporaryDirectory("py-server")
        try directory.write("server.py", script)
        (pid, port) = try Processes.spawnServer(
            [Python.executable, directory.file("server.py")] + arguments, stderrPath: directory.file("stderr.txt"))
    }

    func stop() {
        Processes.killAndReap(pid)
        directory.remove()
    }
}

/// The Python that has boto3 and moto (the real interpreter, not a pyenv shim, which needs
/// the real HOME), and boto3 run as the reference in a given environment.
enum Python {
    static let executable: String = {
        let r = try? Tools.run("/usr/bin/env", ["python3", "-c", "import sys; print(sys.executable)"])
        let path = r?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return path.isEmpty ? "/usr/bin/python3" : path
    }()

    /// Runs `code` with exactly `environment` (nothing inherited).
    static func run(_ code: String, environment: [String: String]) throws -> Tools.Result {
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return try Tools.run("/usr/bin/env", ["-i"] + assignments + [executable, "-c", code])
    }

    /// The access key boto3 signs with in `environment` ("NONE" when it finds none).
    static func boto3AccessKey(_ environment: [String: String]) throws -> String {
        let r = try run(
            """
            import boto3
            c = boto3.Session().get_credentials()
            print(c.get_frozen_credentials().access_key if c else "NONE")
            """, environment: environment)
        return r.status == 0 ? r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : "ERROR: \(r.stderr)"
    }

    /// The identity (GetCallerIdentity ARN) of `accessKeyId` at moto's STS.
    static func motoIdentity(of accessKeyId: String, sts: String) throws -> String {
        let r = try run(
            """
            import boto3
            c = boto3.client("sts", endpoint_url="\(sts)", region_name="us-east-1",
                             aws_access_key_id="\(accessKeyId)", aws_secret_access_key="unused")
            print(c.get_caller_identity()["Arn"])
            """, environment: ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent"])
        return r.status == 0 ? r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : "ERROR: \(r.stderr)"
    }
}

/// moto_server's STS (AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity) on a free port.
enum Moto {
    static func start() throws -> PythonServer {
        try PythonServer(
            script: """
                import threading
                from moto.server import ThreadedMotoServer
                s = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
                s.start()
                print(s.get_host_and_port()[1], flush=True)
                threading.Event().wait()
                """)
    }
}

/// The container credentials endpoint, IMDSv2 and the SSO portal in one server, handing out
/// the key pair of its configuration file (`key`, `secret`, `lifetime` s, `auth`, `sso_token`);
/// with `rotate`, each fetch hands out `key<n>`/`secret<n>` (n = 1, 2, ...). GET /count
/// answers the number of credential fetches; unknown paths answer an HTML 404 page.
enum CredentialServer {
    static func start(_ configuration: [String: Any], in dir: TemporaryDirectory) throws -> PythonServer {
        let data = try JSONSerialization.data(withJSONObject: configuration)
        try dir.write("credential-server.json", String(decoding: data, as: UTF8.self))
        return try PythonServer(script: script, arguments: [dir.file("credential-server.json")])
    }

    static let script = #"""
        import http.server, json, socketserver, sys, threading, time, urllib.parse
        cfg = json.load(open(sys.argv[1]))
        lock = threading.Lock()
        fetches = [0]
        def pair():
            with lock:
                fetches[0] += 1
                n = fetches[0]
            if cfg.get("rotate"):
                return cfg["key"] + str(n), cfg["secret"] + str(n)
            return cfg["key"], cfg["secret"]
        def expiration():
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + cfg.get("lifetime", 3600)))
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *a): pass
            def reply(self, code, body, ctype="application/json", headers=()):
                data = body.encode()
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                for k, v in headers: self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def do_PUT(self):
                n = int(self.headers.get("Content-Length") or 0)
                if n: self.rfile.read(n)
                if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                    self.reply(200, "imds-session-token", "text/plain")
                else:
                    self.reply(400, "", "text/plain")
            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                q = urllib.parse.parse_qs(url.query)
                if url.path == "/count":
                    self.reply(200, str(fetches[0]), "text/plain")
                elif url.path.startswith("/container"):
                    if cfg.get("auth") and self.headers.get("Authorization") != cfg["auth"]:
                        self.reply(403, json.dumps({"message": "bad token"}))
                        return
                    k, s = pair()
                    self.reply(200, json.dumps({"AccessKeyId": k, "SecretAccessKey": s, "Token": "container-token",
                                                "Expiration": expiration(), "RoleArn": "arn:aws:iam::123456789012:role/task"}))
                elif url.path.startswith("/latest/meta-data/iam/security-credentials/"):
                    if self.headers.get("x-aws-ec2-metadata-token") != "imds-session-token":
                        self.reply(401, "", "text/plain")
                        return
                    role = url.path[len("/latest/meta-data/iam/security-credentials/"):]
                    if role == "":
                        self.reply(200, "instance-role", "text/plain")
                    else:
                        k, s = pair()
                        self.reply(200, json.dumps({"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": k,
                                                    "SecretAccessKey": s, "Token": "imds-token", "Expiration": expiration(),
                                                    "LastUpdated": expiration()}))
                elif url.path == "/federation/credentials":
                    if self.headers.get("x-amz-sso_bearer_token") != cfg.get("sso_token") or \
                            q.get("account_id") != ["123456789012"] or q.get("role_name") != ["Dev"]:
                        self.reply(401, json.dumps({"message": "Session token not found or invalid"}),
                                   headers=[("x-amzn-ErrorType", "UnauthorizedException")])
                        return
                    k, s = pair()
                    self.reply(200, json.dumps({"roleCredentials": {"accessKeyId": k, "secretAccessKey": s,
                        "sessionToken": "sso-token", "expiration": int((time.time() + cfg.get("lifetime", 3600)) * 1000)}}))
                else:
                    self.reply(404, "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>",
                               "text/html")
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                if n: self.rfile.read(n)
                if self.path == "/xml":
                    self.reply(403, "<?xml version='1.0'?><ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                               "<Message>User is not\nauthorized</Message></Error><RequestId>r1</RequestId></ErrorResponse>",
                               "text/xml")
                elif self.path == "/s3xml":
                    self.reply(403, "<Error><Code>SignatureDoesNotMatch</Code><Message>no match</Message></Error>", "application/xml")
                elif self.path == "/empty":
                    self.reply(403, "", "text/plain")
                elif self.path == "/html":
                    self.reply(403, "<html><head><title>403 Forbidden</title></head><body>proxy says no</body></html>", "text/html")
                elif self.path == "/json":
                    self.reply(400, json.dumps({"__type": "com.amazon.coral#ValidationException", "message": "bad"}))
                else:
                    self.reply(404, "{}")
        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
        s = Server(("127.0.0.1", 0), Handler)
        print(s.server_address[1], flush=True)
        s.serve_forever()
        """#
}
