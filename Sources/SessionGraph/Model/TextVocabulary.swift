import Foundation

/// Every distinct value of the events' repeated text fields (users, apps, devices, addresses,
/// user agents, operations), numbered once for the process: an event holds a 4-byte code per
/// field instead of a 16-byte string, which halves an event's size (the events are most of a
/// run's memory).
///
/// Values are compared by their exact UTF-8 bytes, not by Unicode equivalence: two spellings of
/// "José", or `K` and the Kelvin sign, are two values (an attacker's lookalike must not be read
/// back as the genuine spelling).
///
/// Codes are handed out under a lock, but ingest asks for them through a per-file front cache
/// (``TextInterner``), so the lock is taken once per distinct value of a file, not per field.
/// A log whose values are mostly distinct (Graph requests name message and item ids in their
/// URIs) takes it for nearly every record on both cores, so what is done under it is short: a
/// probe of an open-addressing table by a hash the caller made once (``WordHash``, seeded per
/// process), and the lock spins a little before it sleeps (an adaptive mutex). A `Dictionary`
/// under an `NSLock` hashed each value again with SipHash, and the cores waited on each other
/// in the kernel.
///
/// Reading a code's text takes no lock: values live in fixed chunks that never move, and a
/// chunk is in place before any code in it is handed out. Values are never removed; they are
/// the values of events, which live until the run ends.
final class TextVocabulary: @unchecked Sendable {
    static let shared = TextVocabulary()

    /// Code 0 is "no value".
    static let none: UInt32 = 0

    /// The seed of the hash that keys the table, drawn per process like the standard library's
    /// hash seed, so log text cannot be written to collide in it. ``TextInterner`` hashes with
    /// it too, and hands its hash over with a new value.
    static let seed = UInt64.random(in: 0...UInt64.max)

    private static let chunkBits = 16
    private static let chunkSize = 1 << chunkBits
    private static let chunkCount = 1 << (32 - chunkBits)

    /// One slot of the table: a value's hash and code side by side (code ``none``: empty).
    private struct Slot {
        var hash: UInt64 = 0
        var code: UInt32 = TextVocabulary.none
    }

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var slots = [Slot](repeating: Slot(), count: 1 << 12)
    private var next: UInt32 = 1
    private let chunks: UnsafeMutablePointer<UnsafeMutablePointer<String>?>

    private init() {
        chunks = .allocate(capacity: Self.chunkCount)
        chunks.initialize(repeating: nil, count: Self.chunkCount)
        mutex = .allocate(capacity: 1)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        #if os(Linux)
        // glibc's mutex that spins a little before it sleeps.
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
        #endif
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    @inline(__always)
    private func locked<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    /// The hash ``code(_:hash:)`` takes for `bytes`.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        WordHash.hash(bytes, seed: seed, foldingASCIICase: false)
    }

    /// The code of `text` (``none`` for nil), numbering it when it is new.
    func code(_ text: String?) -> UInt32 {
        guard let text else { return Self.none }
        return code(text, hash: text.withUTF8Bytes(Self.hash))
    }

    /// The code of `text`, whose ``hash(_:)`` is `hash`, numbering it when it is new.
    func code(_ text: String, hash: UInt64) -> UInt32 {
        // Another hash would give the value a second code.
        assert(hash == text.withUTF8Bytes(Self.hash), "the hash of another seed or other bytes")
        return locked {
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot].code != Self.none {
                if slots[slot].hash == hash && self.text(slots[slot].code).unsafelyUnwrapped.sameBytes(as: text) { return slots[slot].code }
                slot = (slot + 1) & mask
            }
            // 2^32 - 1 distinct values would need far more memory than any machine has.
            precondition(next != UInt32.max, "more than 4 billion distinct text values")
            let code = next
            let chunk = Int(code >> UInt32(Self.chunkBits)), place = Int(code) & (Self.chunkSize - 1)
            if chunks[chunk] == nil {
                chunks[chunk] = UnsafeMutablePointer<String>.allocate(capacity: Self.chunkSize)
            }
            (chunks[chunk]! + place).initialize(to: text)
            slots[slot] = Slot(hash: hash, code: code)
            next += 1
            if Int(next) * 2 > slots.count { grow() }
            return code
        }
    }

    /// Doubles the table (under the lock).
    private func grow() {
        let size = slots.count * 2
        var grown = [Slot](repeating: Slot(), count: size)
        for entry in slots where entry.code != Self.none {
            var slot = Int(truncatingIfNeeded: entry.hash) & (size - 1)
            while grown[slot].code != Self.none { slot = (slot + 1) & (size - 1) }
            grown[slot] = entry
        }
        slots = grown
    }

    /// How many values are held.
    var count: Int {
        locked { Int(next) - 1 }
    }

    /// Forgets every value. Only for a process that holds no event, node context or code any
    /// more: the fuzz harness between inputs, whose values would otherwise pile up.
    func removeAll() {
        locked {
            for code in 1..<next {
                (chunks[Int(code >> UInt32(Self.chunkBits))]! + (Int(code) & (Self.chunkSize - 1))).deinitialize(count: 1)
            }
            for chunk in 0..<Self.chunkCount {
                guard let storage = chunks[chunk] else { continue }
                storage.deallocate()
                chunks[chunk] = nil
            }
            slots = [Slot](repeating: Slot(), count: 1 << 12)
            next = 1
        }
    }

    /// The text of `code`; nil for ``none``. `code` must come from ``code(_:)`` or
    /// ``code(_:hash:)``, and reach this thread through something that orders memory (the
    /// vocabulary's lock, a queue or a join): the text and its chunk were written under the
    /// lock before the code was handed out, and are never written again.
    @inline(__always)
    func text(_ code: UInt32) -> String? {
        guard code != Self.none else { return nil }
        return chunks[Int(code >> UInt32(Self.chunkBits))].unsafelyUnwrapped[Int(code) & (Self.chunkSize - 1)]
    }
}

/// The distinct vocabulary codes of values gathered over many nodes (a branch's countries, a
/// session's devices and addresses), in order of first appearance, ``TextVocabulary/none`` left
/// out. Usually a handful, so a linear scan beats hashing; past ``scanLimit`` codes a set is kept
/// beside the list, so a branch with a hundred thousand addresses is not quadratic. Each becomes
/// text once, in ``texts``.
struct DistinctCodes {
    private var codes: [UInt32] = []
    private var seen: Set<UInt32> = []
    private static let scanLimit = 16

    /// How many distinct codes are held.
    var count: Int { codes.count }

    mutating func insert(_ code: UInt32) {
        guard code != TextVocabulary.none else { return }
        if codes.count < Self.scanLimit {
            if !codes.contains(code) { codes.append(code) }
            return
        }
        if seen.isEmpty { seen = Set(codes) }
        if seen.insert(code).inserted { codes.append(code) }
    }

    /// The texts in order of first appearance; texts that `==` holds equal appear once, as they
    /// did when the values were gathered as strings.
    var texts: [String] {
        codes.compactMap { TextVocabulary.shared.text($0) }.uniqued()
    }
}
