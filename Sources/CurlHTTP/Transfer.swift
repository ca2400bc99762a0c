import CCurl
import Glibc

/// One request's state while libcurl works on it (loop thread only).
final class Transfer {
    let request: HTTPRequest
    let due: UInt64
    let sequence: UInt64
    let completion: @Sendable (HTTPOutcome) -> Void
    var handle: UnsafeMutableRawPointer?
    var startedNanos: UInt64?
    var responseHeaders: [(name: String, value: String)] = []
    var responseBody: [UInt8] = []
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init(submission: Submission, sequence: UInt64) {
        request = submission.request
        due = submission.due
        completion = submission.completion
        self.sequence = sequence
        errorBuffer[0] = 0
    }

    deinit {
        errorBuffer.deallocate()
        if let headerList { curl_slist_free_all(headerList) }
    }

    /// Sets the easy handle up for this request; returns a problem, or nil.
    func configure(_ h: UnsafeMutableRawPointer) -> String? {
        func check(_ code: CURLcode) -> Bool { code == CURLE_OK }
        let me = Unmanaged.passUnretained(self).toOpaque()
        guard check(request.url.withCString { rs_curl_setopt_ptr(h, CURLOPT_URL, $0) }) else {
            return "bad URL \(request.url)"
        }
        rs_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        rs_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, max(1, Int(request.timeout * 1000)))
        rs_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(request.connectTimeout * 1000)))
        rs_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1)
        rs_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2)
        rs_curl_setopt_long(h, CURLOPT_TCP_NODELAY, 1)
        rs_curl_setopt_long(h, CURLOPT_PROTOCOLS, Int(CURLPROTO_HTTP | CURLPROTO_HTTPS))
        rs_curl_setopt_ptr(h, CURLOPT_ERRORBUFFER, errorBuffer)
        rs_curl_setopt_ptr(h, CURLOPT_WRITEFUNCTION, unsafeBitCast(bodyCallback, to: UnsafeRawPointer.self))
        rs_curl_setopt_ptr(h, CURLOPT_WRITEDATA, me)
        rs_curl_setopt_ptr(h, CURLOPT_HEADERFUNCTION, unsafeBitCast(headerCallback, to: UnsafeRawPointer.self))
        rs_curl_setopt_ptr(h, CURLOPT_HEADERDATA, me)

        let method = request.method.uppercased()
        var hasContentType = false
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers {
            if name.lowercased() == "content-type" { hasContentType = true }
            list = curl_slist_append(list, "\(name): \(value)")
        }
        // No "Expect: 100-continue" round trip for large bodies.
        list = curl_slist_append(list, "Expect:")
        switch method {
        case "GET":
            rs_curl_setopt_long(h, CURLOPT_HTTPGET, 1)
        case "HEAD":
            rs_curl_setopt_long(h, CURLOPT_NOBODY, 1)
        default:
            // libcurl would otherwise label the body as a form.
            if !hasContentType { list = curl_slist_append(list, "Content-Type:") }
            rs_curl_setopt_off(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            request.body.withUnsafeBytes { raw in
                // COPYPOSTFIELDS copies, so the body need not outlive this call.
                let empty: StaticString = ""
                _ = rs_curl_setopt_ptr(h, CURLOPT_COPYPOSTFIELDS, raw.baseAddress ?? UnsafeRawPointer(empty.utf8Start))
            }
            if method != "POST" { _ = method.withCString { rs_curl_setopt_ptr(h, CURLOPT_CUSTOMREQUEST, $0) } }
        }
        headerList = list
        rs_curl_setopt_ptr(h, CURLOPT_HTTPHEADER, list)
        return nil
    }

    /// Frees what libcurl no longer needs once the transfer is removed.
    func release() {
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
        handle = nil
    }

    func errorText(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
    }

    fileprivate func addHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        if end == 0 { return }
        if end >= 5, bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"), bytes[2] == UInt8(ascii: "T"),
            bytes[3] == UInt8(ascii: "P"), bytes[4] == UInt8(ascii: "/")
        {
            responseHeaders.removeAll()  // a new (final or interim) response starts
            return
        }
        guard let colon = bytes[0..<end].firstIndex(of: UInt8(ascii: ":")) else { return }
        var valueStart = colon + 1
        while valueStart < end, bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09 { valueStart += 1 }
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<colon]), as: UTF8.self)
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<end]), as: UTF8.self)
        responseHeaders.append((name, value))
    }
}

private let bodyCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, me in
    let n = size * count
    let transfer = Unmanaged<Transfer>.fromOpaque(me!).takeUnretainedValue()
    if n > 0, let data {
        transfer.responseBody.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n))
    }
    return n
}

private let headerCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, me in
    let n = size * count
    let transfer = Unmanaged<Transfer>.fromOpaque(me!).takeUnretainedValue()
    if n > 0, let data { transfer.addHeaderLine(UnsafeRawBufferPointer(start: data, count: n)) }
    return n
}
