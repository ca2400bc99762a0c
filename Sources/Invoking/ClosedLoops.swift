import Clocks
import CurlHTTP
import Foundation
import RecordSchema

/// A phase's closed loops (docs/invoke.md, "Closed loops"): per instance, its steps one after
/// another, each keeping `concurrency` calls in flight; a slot sends its next call as soon as
/// its previous one ended (after the call's idle gap, for a cold-start lifetime sweep).
/// Instances' loops, and the phase's open-loop calls, run side by side.
struct ClosedLoops {
    /// Per instance (in first-call order), per step, the call indices in loop order.
    let instances: [[[Int]]]

    init(_ indices: [Int], calls: [ScheduledCall]) {
        var byInstance: [String: [Int: [Int]]] = [:]
        var order: [String] = []
        for k in indices {
            guard let loop = calls[k].loop else { continue }
            if byInstance[calls[k].instance] == nil { order.append(calls[k].instance) }
            byInstance[calls[k].instance, default: [:]][loop.step, default: []].append(k)
        }
        instances = order.map { name in
            byInstance[name]!.keys.sorted().map { step in byInstance[name]![step]!.sorted { calls[$0].loop!.order < calls[$1].loop!.order }
            }
        }
    }

    var isEmpty: Bool { instances.isEmpty }
}

/// Hands out a step's calls in order to its slots.
final class LoopQueue: @unchecked Sendable {
    // @unchecked Sendable: `next` is read and written under `lock` only.
    private let lock = NSLock()
    private let calls: [Int]
    private var next = 0

    init(_ calls: [Int]) { self.calls = calls }

    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < calls.count else { return nil }
        next += 1
        return calls[next - 1]
    }

    /// The calls no slot took (after Ctrl-C).
    func rest() -> ArraySlice<Int> {
        lock.lock()
        defer { lock.unlock() }
        let r = calls[next...]
        next = calls.count
        return r
    }
}

extension ScheduleInvoker {
    /// Runs every loop of the phase to its end (or Ctrl-C: the calls not sent become `not_sent`).
    func run(_ loops: ClosedLoops, phaseStartUnixMs: Double) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for steps in loops.instances {
                group.addTask {
                    for step in steps {
                        try await self.runStep(step, phaseStartUnixMs: phaseStartUnixMs)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    func runStep(_ step: [Int], phaseStartUnixMs: Double) async throws {
        guard let first = step.first, let concurrency = schedule.calls[first].loop?.concurrency else { return }
        let queue = LoopQueue(step)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for slot in 0..<min(concurrency, step.count) {
                group.addTask {
                    while !self.state.interrupted, let k = queue.take() {
                        try await self.sendLoopCall(k, slot: slot, phaseStartUnixMs: phaseStartUnixMs)
                    }
                }
            }
            try await group.waitForAll()
        }
        state.markNotSent(queue.rest(), phaseStartUnixMs: phaseStartUnixMs)
    }

    /// One call of a loop: its idle gap, its configuration change when `cold`, then the call
    /// (with throttle retries as for any call); returns when it has its final outcome.
    func sendLoopCall(_ k: Int, slot: Int, phaseStartUnixMs: Double) async throws {
        let call = schedule.calls[k]
        if let idle = call.loop?.idleS, idle > 0 { await pause(seconds: idle) }
        if call.cold, !state.interrupted { try await coldStarts.forceNewEnvironment(for: call) }
        if state.interrupted {
            state.markNotSent([k][...], phaseStartUnixMs: phaseStartUnixMs)
            return
        }
        let request = requests.request(for: call, date: Date())
        let due = MonotonicClock.nanoseconds()
        let state = self.state
        let options = self.options
        let http = self.http
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            http.submit(request, due: due) { outcome in
                ScheduleInvoker.handle(
                    outcome, call: k, due: due, request: request, state: state, options: options, http: http, slot: slot
                ) { done.resume() }
            }
        }
    }

    /// Sleeps `seconds`, waking early at Ctrl-C.
    func pause(seconds: Double) async {
        let end = MonotonicClock.nanoseconds() + UInt64(seconds * 1e9)
        while !state.interrupted {
            let now = MonotonicClock.nanoseconds()
            if now >= end { return }
            try? await Task.sleep(nanoseconds: min(end - now, 100_000_000))
        }
    }
}
