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
