import Dispatch

extension Array {
    /// `transform` applied to every element on every core (Dispatch's concurrentPerform);
    /// the results come back in element order, so they do not depend on the scheduling.
    /// Elements are handed out roughly in order: put the longest jobs first (or use
    /// `concurrentMap(longestFirst:_:)`).
    public func concurrentMap<T>(_ transform: (Element) -> T) -> [T] {
        guard count > 1 else { return map(transform) }
        let slots = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
        defer { slots.deallocate() }
        // Each iteration initializes its own slot; concurrentPerform returns after all have.
        let target = SlotsPointer(base: slots.baseAddress!)
        withoutActuallyEscaping(transform) { transform in
            let body = UncheckedSendable(transform)
            self.withUnsafeBufferPointer { elements in
                let input = UncheckedSendable(elements)
                DispatchQueue.concurrentPerform(iterations: elements.count) { k in
                    (target.base + k).initialize(to: body.value(input.value[k]))
                }
            }
        }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            _ = buffer.moveInitialize(fromContentsOf: slots)
            initialized = count
        }
    }

    /// `concurrentMap` with the elements handed out by decreasing `cost`, so the longest
    /// jobs start first and no core is left with one long job at the end; the results
    /// still come back in element order.
    public func concurrentMap<T>(longestFirst cost: (Element) -> Int, _ transform: (Element) -> T) -> [T] {
        let costs = map(cost)
        let order = indices.sorted { costs[$0] > costs[$1] }
        let results = withoutActuallyEscaping(transform) { transform in
            let body = UncheckedSendable(transform)
            return order.concurrentMap { body.value(self[$0]) }
        }
        var inOrder = [T?](repeating: nil, count: count)
        for (k, result) in zip(order, results) { inOrder[k] = result }
        return inOrder.map { $0! }
    }
}

/// Where the worker threads write their results (each a distinct slot).
private struct SlotsPointer<T>: @unchecked Sendable { let base: UnsafeMutablePointer<T> }

/// A value used from concurrentPerform's threads only for reading (the elements, and a
/// transform the caller guarantees is safe to call concurrently).
private struct UncheckedSendable<V>: @unchecked Sendable {
    let value: V
    init(_ value: V) { self.value = value }
}
