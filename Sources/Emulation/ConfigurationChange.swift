import JSON

/// What one UpdateFunctionConfiguration asks for: each member nil when the request leaves it
/// as it is. Every accepted request is a change, even one that repeats the current values: as
/// on Lambda it makes a new revision, and the function's warm environments retire
/// (docs/lambda-emulator.md).
struct ConfigurationChange: Sendable, Equatable {
    var memoryMB: Int?
    var timeoutSeconds: Int?
    var description: String?
    var handler: String?
    /// The whole new variable map (Lambda replaces it, never merges).
    var environment: [String: String]?

    /// Why Lambda refuses a request: the `InvalidParameterValueException` message.
    struct Invalid: Error {
        var message: String
    }

    /// Reads the request body (already known to be an object). Members Lambda has but the
    /// emulator does not model (`Role`, `Runtime`, `Layers`, ...) are accepted and ignored.
    /// An integer member within `range`, refused in Lambda's own words.
    static func integer(_ node: JSONNode, _ field: String, in range: ClosedRange<Int>) throws(Invalid) -> Int {
        guard let v = node.int, range.contains(v) else {
            let bound =
                node.int.map {
                    $0 < range.lowerBound
                        ? "greater than or equal to \(range.lowerBound)" : "less than or equal to \(range.upperBound)"
                } ?? "of type integer"
            throw Invalid(
                message:
                    "1 validation error detected: Value '\(describe(node))' at '\(field)' failed to satisfy constraint: Member must have value \(bound)"
            )
        }
        return v
    }

    /// `userCode`: the function runs a user's code, whose runtime reads the handler (`_HANDLER`):
    /// any name without white space, up to 128 characters, as Lambda takes it.
    static func parse(_ body: JSONNode, userCode: Bool = false) throws(Invalid) -> ConfigurationChange {
        var change = ConfigurationChange()
        if let m = body["MemorySize"] { change.memoryMB = try integer(m, "memorySize", in: EmulatorConfig.memoryRange) }
        if let t = body["Timeout"] { change.timeoutSeconds = try integer(t, "timeout", in: EmulatorConfig.timeoutRange) }
        if let d = body["Description"] {
            guard let text = d.string else { throw Invalid(message: "Description must be a string, not \(d.typeName)") }
            guard text.count <= FunctionDefinition.maxDescriptionLength else {
                throw Invalid(
                    message:
                        "1 validation error detected: Value '\(text)' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256"
                )
            }
            change.description = text
        }
        if let h = body["Handler"], userCode {
            guard let name = h.string, !name.isEmpty, name.count <= 128, !name.contains(where: \.isWhitespace) else {
                throw Invalid(
                    message:
                        "1 validation error detected: Value \(describe(h)) at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+"
                )
            }
            change.handler = name
        } else if let h = body["Handler"] {
            // Lambda would accept any name and fail each call; the emulator only has its
            // built-in handlers, so it refuses the others at once.
            guard let name = h.string, FunctionHandler.known.contains(name) else {
                throw Invalid(
                    message:
                        "Handler \(describe(h)) is not a handler of lambda-emulator (known: \(FunctionHandler.known.joined(separator: ", ")))"
                )
            }
            change.handler = name
        }
        if let e = body["Environment"] {
            guard e.members != nil else { throw Invalid(message: "Environment must be an object, not \(e.typeName)") }
            // `{"Environment": {}}` removes every variable, as `{"Variables": {}}` does.
            do { change.environment = try EnvironmentVariables.parse(e["Variables"] ?? .emptyObject) } catch {
                throw Invalid(message: error.message)
            }
        }
        return change
    }

    func apply(to definition: inout FunctionDefinition) {
        if let memoryMB { definition.memoryMB = memoryMB }
        if let timeoutSeconds { definition.timeoutSeconds = timeoutSeconds }
        if let description { definition.description = description }
        if let handler { definition.handler = handler }
        if let environment { definition.environment = environment }
    }

    static func describe(_ v: JSONNode) -> String {
        var w = JSONWriter()
        v.write(to: &w)
        return w.text
    }
}
