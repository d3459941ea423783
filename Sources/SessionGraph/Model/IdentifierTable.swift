import CMemoryHints

/// Values keyed by ``CompactIdentifier``, for the link's token index (a million sign-ins of a
/// 5 GB run, looked up by millions of actions): open addressing over one array of slots, each
/// holding a compact id's two words, its form and the value side by side, so a lookup reads
/// one slot (usually within one cache line) where a `Dictionary` read its metadata, keys and
/// values apart. The rare id that has no compact form (``CompactIdentifier/text(_:)``) is kept
/// in a `Dictionary`.
///
/// The slot comes from a hash seeded per table with a random seed, so that ids chosen in a
/// hostile log cannot be aimed at one slot without knowing the seed (a mixing function, not a
/// keyed cryptographic hash: it resists, it does not prove). Nothing depends on the slots'
/// order: the table is never iterated.
struct IdentifierTable<Value: Sendable>: Sendable {
    private struct Slot: Sendable {
        var high: UInt64
        var low: UInt64
        /// 0 for an empty slot, 1 for a `guid`, 2 for a `token`.
        var form: UInt8
        var value: Value
    }

    private var slots: [Slot]
    private var mask: Int
    private var count = 0
    private let placeholder: Value
    private let seed: UInt64
    private var texts: [CompactIdentifier: Value] = [:]

    /// `placeholder` fills the empty slots; it is never returned. The seed is random unless a
    /// test fixes it.
    init(placeholder: Value, seed: UInt64 = .random(in: .min ... .max)) {
        self.placeholder = placeholder
        self.seed = seed
        slots = [Slot](repeating: Slot(high: 0, low: 0, form: 0, value: placeholder), count: 1024)
        mask = 1023
    }

    /// The value held for `key`, or nil.
    func value(for key: CompactIdentifier) -> Value? {
        guard let (high, low, form) = Self.words(of: key) else { return texts[key] }
        var slot = slotIndex(high, low, form)
        while true {
            let held = slots[slot]
            if held.form == 0 { return nil }
            if held.form == form && held.high == high && held.low == low { return held.value }
            slot = (slot + 1) & mask
        }
    }

    /// Starts loading the slot where a probe for `key` begins: a pass that knows its next keys
    /// asks for their slots a few keys ahead, so several misses are in flight at once.
    @inline(__always)
    func prefetch(_ key: CompactIdentifier) {
        guard let (high, low, form) = Self.words(of: key) else { return }
        let slot = slotIndex(high, low, form)
        slots.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { sessiongraph_prefetch(UnsafeRawPointer(base + slot)) }
        }
    }

    /// Holds `value` for `key` unless a value is held for it already (the first one wins);
    /// whether it was held.
    @discardableResult
    mutating func insertIfAbsent(_ key: CompactIdentifier, _ value: Value) -> Bool {
        guard let (high, low, form) = Self.words(of: key) else {
            guard texts[key] == nil else { return false }
            texts[key] = value
            return true
        }
        if (count + 1) * 2 > slots.count { grow() }
        var slot = slotIndex(high, low, form)
        while true {
            let held = slots[slot]
            if held.form == 0 { break }
            if held.form == form && held.high == high && held.low == low { return false }
            slot = (slot + 1) & mask
        }
        slots[slot] = Slot(high: high, low: low, form: form, value: value)
        count += 1
        return true
    }

    private static func words(of key: CompactIdentifier) -> (UInt64, UInt64, UInt8)? {
        switch key {
        case let .guid(high, low): return (high, low, 1)
        case let .token(high, low): return (high, low, 2)
        case .text: return nil
        }
    }

    /// SplitMix64's finaliser (every input bit reaches every output bit) over the seed and the
    /// form, then each word in turn.
    @inline(__always)
    private func slotIndex(_ high: UInt64, _ low: UInt64, _ form: UInt8) -> Int {
        @inline(__always) func mix(_ x: UInt64) -> UInt64 {
            var z = x &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return Int(truncatingIfNeeded: mix(mix(mix(seed ^ UInt64(form)) ^ high) ^ low)) & mask
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(high: 0, low: 0, form: 0, value: placeholder), count: old.count * 2)
        mask = slots.count - 1
        for held in old where held.form != 0 {
            var slot = slotIndex(held.high, held.low, held.form)
            while slots[slot].form != 0 { slot = (slot + 1) & mask }
            slots[slot] = held
        }
    }
}
