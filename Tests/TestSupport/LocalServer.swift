import Foundation

/// A small HTTP/1.1 keep-alive server (Python's standard library) for exercising the
/// client over real sockets. Routes:
///   /echo                       200, JSON {method, path, headers, body}
///   /status/<code>?h=Name:Value  that status, with the given header(s), AWS-style JSON error body
///   /flaky/<key>/<n>/<code>     <code> for the first n requests with this key, then 200
///   /sleep/<ms>                 200 after ms milliseconds
///   /sleeping                   number of /sleep requests being answered right now
///   /connections                number of TCP connections accepted so far
public final class LocalServer: @unchecked Sendable {
    // @unchecked: immutable after init.
    public let pid: pid_t
    public let port: Int
    public let directory: TemporaryDirectory
    public var base: String { "http://127.0.0.1:\(port)" }

    /// Spawned with posix_spawn (Foundation's Process.waitUntilExit can hang off the main thread).
    /// `tls`: serve HTTPS with this certificate and key (PEM files).
    public init(tls: (certificate: String, key: String)? = nil) throws {
        directory = try TemporaryDirectory("curlhttp-server")
        try directory.write("server.py", Self.script)
        let python = FileManager.default.fileExists(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        (pid, port) = try Processes.spawnServer(
            [python, directory.file("server.py")] + (tls.map { [$0.certificate, $0.key] } ?? []))
    }

    public func stop() {
        Processes.killAndReap(pid)
        directory.remove()
    }

    static let script = #"""
        import http.server, json, socketserver, sys, time, threading, urllib.parse
        counts = {}
        lock = threading.Lock()
        connections = [0]
        sleeping = [0]
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def setup(self):
                with lock: connections[0] += 1
                super().setup()
            def log_message(self, *a): pass
            def reply(self, code, body, headers=()):
                data = body.encode()
                self.send_response(code)
                for k, v in headers: self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("x-amzn-RequestId", "req-%d" % time.monotonic_ns())
                self.end_headers()
                self.wfile.write(data)
            def handle_any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
                url = urllib.parse.urlsplit(self.path)
                parts = url.path.strip("/").split("/")
                q = urllib.parse.parse_qs(url.query)
                if parts[0] == "echo":
                    self.reply(200, json.dumps({"method": self.command, "path": self.path,
                                                "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}))
                elif parts[0] == "status":
                    hs = [tuple(h.split(":", 1)) for h in q.get("h", [])]
                    self.reply(int(parts[1]), json.dumps({"__type": "TestError", "message": "status %s" % parts[1]}), hs)
                elif parts[0] == "flaky":
                    key, n, code = parts[1], int(parts[2]), int(parts[3])
                    with lock:
                        counts[key] = counts.get(key, 0) + 1
                        c = counts[key]
                    if c <= n:
                        self.reply(code, json.dumps({"__type": "ThrottlingException" if code == 400 else "TooManyRequestsException",
                                                     "message": "Rate exceeded"}), [("Retry-After", "0")])
                    else:
                        self.reply(200, json.dumps({"attempt": c}))
                elif parts[0] == "sleep":
                    with lock: sleeping[0] += 1
                    try:
                        time.sleep(int(parts[1]) / 1000)
                    finally:
                        with lock: sleeping[0] -= 1
                    self.reply(200, "{}")
                elif parts[0] == "sleeping":
                    self.reply(200, str(sleeping[0]))
                elif parts[0] == "connections":
                    self.reply(200, str(connections[0]))
                else:
                    self.reply(404, "{}")
            do_GET = do_POST = do_PUT = do_DELETE = handle_any
        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            request_queue_size = 512
        s = Server(("127.0.0.1", 0), Handler)
        if len(sys.argv) > 2:
            import ssl
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[1], sys.argv[2])
            s.socket = context.wrap_socket(s.socket, server_side=True)
        print(s.server_address[1], flush=True)
        s.serve_forever()
        """#
}
