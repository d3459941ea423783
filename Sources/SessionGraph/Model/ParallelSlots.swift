import Foundation

/// One result slot per work item of a `DispatchQueue.concurrentPerform`, each written by one
/// worker thread and read back in item order once all have finished, so a parallel stage gives
/// the same result whatever the scheduling. Used by ingest (per file), detection (per chunk of
/// sessions) and the simulator (per chunk of users).
package final class ParallelSlots<Value>: @unchecked Sendable {
    private var slots: [Value?]
    private let lock = NSLock()

    package init(count: Int) { slots = Array(repeating: nil, count: count) }

    package func store(_ value: Value, at index: Int) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    /// The stored values in item order (every item stores one before this is called), moved
    /// out: the slots are emptied, so the caller holds the only copy and can change the values
    /// in place.
    package func take() -> [Value] {
        lock.lock()
        defer { lock.unlock() }
        let values = slots.compactMap { $0 }
        slots = []
        return values
    }
}

/// `body` over `0..<count` cut into runs of `chunkSize`, the runs on every core, one result per
/// run in order (so the result does not depend on scheduling).
package func parallelChunks<T>(count: Int, chunkSize: Int, _ body: @Sendable (Range<Int>) -> T) -> [T] {
    let size = max(1, chunkSize)
    let chunks = (count + size - 1) / size
    let slots = ParallelSlots<T>(count: chunks)
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        slots.store(body((chunk * size)..<min(count, (chunk + 1) * size)), at: chunk)
    }
    return slots.take()
}

/// Two independent computations on two cores; both results once both are done.
package func inParallel<A, B>(_ first: @Sendable () -> A, _ second: @Sendable () -> B) -> (A, B) {
    let a = ParallelSlots<A>(count: 1), b = ParallelSlots<B>(count: 1)
    DispatchQueue.concurrentPerform(iterations: 2) { part in
        if part == 0 { a.store(first(), at: 0) } else { b.store(second(), at: 0) }
    }
    return (a.take()[0], b.take()[0])
}
