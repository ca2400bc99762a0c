import AWS
import CurlHTTP
import RecordSchema

/// Turns what happened to a request into an invocation record's outcome fields.
enum Outcomes {
    /// Fills status, request id, function error, error kind/message and response size.
    static func apply(_ outcome: HTTPOutcome, to invocation: inout Invocation) {
        switch outcome.result {
        case .success(let response):
            invocation.httpStatus = response.status
            invocation.responseBytes = response.body.count
            invocation.requestId =
                response.header("x-amzn-RequestId") ?? response.header("apigw-requestid")
                ?? response.header("x-amz-apigw-id")
            invocation.functionError = response.header("X-Amz-Function-Error")
            invocation.responseValues = ResponseFields.values(invocation.call.responseFields, in: response.body)
            if response.status >= 400 {
                invocation.error = isThrottle(response) ? .throttled : .http
                invocation.errorMessage = message(response)
            } else {
                invocation.error = nil
                invocation.errorMessage = nil
            }
        case .failure(let error):
            invocation.httpStatus = nil
            invocation.responseBytes = 0
            invocation.responseValues = []
            switch error.kind {
            case .timeout:
                invocation.error = .timeout
                invocation.errorMessage = error.message
            case .transport:
                invocation.error = .transport
                invocation.errorMessage = error.message
            case .cancelled:
                // Sent, then abandoned at Ctrl-C: the function may still run and log, as after a timeout.
                invocation.error = .timeout
                invocation.errorMessage = "interrupted: no response within the grace period"
            case .notStarted:
                invocation.error = .notSent
                invocation.errorMessage = "interrupted before its scheduled time"
            }
        }
    }

    /// 429, or a 4xx whose AWS error code is a throttling code.
    static func isThrottle(_ response: HTTPResponse) -> Bool {
        if response.status == 429 { return true }
        guard (400..<500).contains(response.status) else { return false }
        return RetryPolicy.throttlingCodes.contains(AWSRequestSender.errorCodeAndMessage(response).code)
    }

    /// "HTTP 429 TooManyRequestsException: Rate Exceeded." (one line, bounded).
    static func message(_ response: HTTPResponse) -> String {
        let (code, message) = AWSRequestSender.errorCodeAndMessage(response)
        var text = "HTTP \(response.status) \(code)"
        if !message.isEmpty { text += ": " + message }
        text = String(text.prefix(300).map { $0 == "\n" || $0 == "\r" ? " " : $0 })
        return text
    }

    /// The `outcomes` key an invocation counts under in the summary.
    static func key(_ invocation: Invocation) -> String {
        if let error = invocation.error { return error.rawValue }
        return invocation.functionError == nil ? "ok" : "function_error"
    }
}
