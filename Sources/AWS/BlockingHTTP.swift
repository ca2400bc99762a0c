import CurlHTTP
import Foundation

/// Synchronous HTTP for credential providers. Credentials are fetched from synchronous code
/// (request signing is synchronous: invoke signs calls just before they are due), so a
/// provider waits for its response on the calling thread; the response itself arrives on
/// the HTTP client's own loop thread, so waiting never starves it.
enum BlockingHTTP {
    /// One client for every credential fetch of the process (few connections, created on first use).
    static let client = HTTPClient(maxConnections: 8)

    static func send(_ request: HTTPRequest, on http: HTTPClient = client) -> HTTPOutcome {
        let done = DispatchSemaphore(value: 0)
        let box = OutcomeBox()
        http.submit(request) { outcome in
            box.outcome = outcome
            done.signal()
        }
        done.wait()
        return box.outcome!
    }

    /// Written once on the loop thread before the semaphore is signalled, read after it.
    private final class OutcomeBox: @unchecked Sendable {
        var outcome: HTTPOutcome?
    }
}
