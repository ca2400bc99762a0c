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
    static func parse(_ body: JSONNode) throws(Invalid) -> ConfigurationChange {
        var change = ConfigurationChange()
        if let m = body["MemorySize"] {
            guard let v = m.int, EmulatorConfig.memoryRange.contains(v) else {
                let bound = m.int.map { $0 < 128 ? "greater than or equal to 128" : "less than or equal to 10240" } ?? "of type integer"
                throw Invalid(
                    message:
                        "1 validation error detected: Value '\(describe(m))' at 'memorySize' failed to satisfy constraint: Member must have value \(bound)"
                )
            }
            change.memoryMB = v
        }
        if let t = body["Timeout"] {
            guard let v = t.int, EmulatorConfig.timeoutRange.contains(v) else {
                let bound = t.int.map { $0 < 1 ? "greater than or equal to 1" : "less than or equal to 900" } ?? "of type integer"
                throw Invalid(
                    message:
                        "1 validation error detected: Value '\(describe(t))' at 'timeout' failed to satisfy constraint: Member must have value \(bound)"
                )
            }
            change.timeoutSeconds = v
        }
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
        if let h = body["Handler"] {
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
