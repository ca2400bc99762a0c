import Foundation

/// Waiting for a condition with a deadline, instead of sleeping a fixed time and hoping:
/// returns as soon as the condition holds, and a slow machine only makes it take longer.
///
///     #expect(Wait.until(timeout: 10) { emulator.workerPids.isEmpty })
///     let found = try await Wait.until(timeout: 30) { try await visible() }
public enum Wait {
    /// Checks `condition` every `poll` seconds until it holds (true) or `timeout` seconds
    /// have passed (false). The condition is checked once more at the deadline.
    /// (Disfavoured so that async code gets the variant below, which blocks no thread.)
    @_disfavoredOverload
    @discardableResult
    public static func until(timeout: Double, poll: Double = 0.02, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while true {
            if try condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            usleep(useconds_t(max(1, poll * 1_000_000)))
        }
    }

    /// The same from async code: sleeps with `Task.sleep`, so no thread of the pool is blocked.
    @discardableResult
    public static func until(
        timeout: Double, poll: Double = 0.02,
        _ condition: () async throws -> Bool
    ) async rethrows -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while true {
            if try await condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(Int64(max(1, poll * 1000))))
        }
    }
}
