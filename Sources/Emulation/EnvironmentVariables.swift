import JSON

/// A function's environment variables (`Environment.Variables`), checked as Lambda checks them:
/// keys match `[a-zA-Z]([a-zA-Z0-9_])+` (so at least two characters), values are strings, the
/// keys Lambda sets itself are refused, and the whole map, measured as its compact JSON, is at
/// most 4 KB.
enum EnvironmentVariables {
    struct Problem: Error {
        var message: String
    }

    /// Lambda's limit on the variables of one function, measured as their JSON text.
    static let maxTotalBytes = 4096

    /// The keys Lambda reserves ("Defined runtime environment variables" in its guide): it sets
    /// them in every environment and refuses them in `Environment.Variables`. Other `AWS_LAMBDA_`
    /// names, such as `AWS_LAMBDA_EXEC_WRAPPER`, may be set.
    static let reservedKeys: Set<String> = [
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    ]

    /// `{"KEY": "value", ...}` (the `Variables` object) into a map, or the reason Lambda gives
    /// for refusing it.
    static func parse(_ node: JSONNode) throws(Problem) -> [String: String] {
        guard let members = node.members else {
            throw Problem(message: "Environment variables must be an object of strings, not \(node.typeName)")
        }
        var variables: [String: String] = [:]
        for (key, value) in members {
            guard isValidKey(key) else {
                throw Problem(
                    message:
                        "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]"
                )
            }
            guard let text = value.string else {
                throw Problem(message: "Environment variable \(key) must be a string, not \(value.typeName)")
            }
            variables[key] = text
        }
        let reserved = variables.keys.filter(reservedKeys.contains).sorted()
        guard reserved.isEmpty else {
            throw Problem(
                message:
                    "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: \(reserved.joined(separator: ", "))"
            )
        }
        let measured = json(variables)
        guard measured.utf8.count <= maxTotalBytes else {
            throw Problem(
                message:
                    "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: \(measured)"
            )
        }
        return variables
    }

    /// `[a-zA-Z]([a-zA-Z0-9_])+`, ASCII only.
    static func isValidKey(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        guard bytes.count >= 2, isLetter(bytes[0]) else { return false }
        return bytes.dropFirst().allSatisfy { isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }

    /// The map as compact JSON with sorted keys: what the 4 KB limit measures.
    static func json(_ variables: [String: String]) -> String {
        var w = JSONWriter()
        write(variables, to: &w)
        return w.text
    }

    static func write(_ variables: [String: String], to w: inout JSONWriter) {
        w.beginObject()
        for key in variables.keys.sorted() {
            w.key(key)
            w.string(variables[key]!)
        }
        w.endObject()
    }
}
