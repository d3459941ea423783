import Foundation

/// Every distinct value of the events' repeated text fields (users, apps, devices, addresses,
/// user agents, operations), numbered once for the process: an event holds a 4-byte code per
/// field instead of a 16-byte string, which halves an event's size (the events are most of a
/// run's memory).
///
/// Codes are handed out under a lock, but ingest asks for them through a per-file front cache
/// (``TextInterner``), so the lock is taken once per distinct value of a file, not per field.
/// Reading a code's text takes no lock: values live in fixed chunks that never move, and a
/// chunk is in place before any code in it is handed out. Values are never removed; they are
/// the values of events, which live until the run ends.
final class TextVocabulary: @unchecked Sendable {
    static let shared = TextVocabulary()

    /// Code 0 is "no value".
    static let none: UInt32 = 0

    private static let chunkBits = 16
    private static let chunkSize = 1 << chunkBits
    private static let chunkCount = 1 << (32 - chunkBits)

    private let lock = NSLock()
    /// Keyed by the exact bytes (see ``ExactText``).
    private var codes: [ExactText: UInt32] = [:]
    private var next: UInt32 = 1
    private let chunks: UnsafeMutablePointer<UnsafeMutablePointer<String>?>

    private init() {
        chunks = .allocate(capacity: Self.chunkCount)
        chunks.initialize(repeating: nil, count: Self.chunkCount)
    }

    /// The code of `text` (``none`` for nil), numbering it when it is new.
    func code(_ text: String?) -> UInt32 {
        guard let text else { return Self.none }
        lock.lock()
        defer { lock.unlock() }
        if let known = codes[ExactText(text)] { return known }
        // 2^32 - 1 distinct values would need far more memory than any machine has.
        precondition(next != UInt32.max, "more than 4 billion distinct text values")
        let code = next
        let chunk = Int(code >> UInt32(Self.chunkBits)), slot = Int(code) & (Self.chunkSize - 1)
        if chunks[chunk] == nil {
            let storage = UnsafeMutablePointer<String>.allocate(capacity: Self.chunkSize)
            chunks[chunk] = storage
        }
        (chunks[chunk]! + slot).initialize(to: text)
        codes[ExactText(text)] = code
        next += 1
        return code
    }

    /// How many values are held.
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return Int(next) - 1
    }

    /// Forgets every value. Only for a process that holds no event, node context or code any
    /// more: the fuzz harness between inputs, whose values would otherwise pile up.
    func removeAll() {
        lock.lock()
        defer { lock.unlock() }
        for code in 1..<next {
            (chunks[Int(code >> UInt32(Self.chunkBits))]! + (Int(code) & (Self.chunkSize - 1))).deinitialize(count: 1)
        }
        for chunk in 0..<Self.chunkCount {
            guard let storage = chunks[chunk] else { continue }
            storage.deallocate()
            chunks[chunk] = nil
        }
        codes = [:]
        next = 1
    }

    /// The text of `code`; nil for ``none``. `code` must come from ``code(_:)``.
    @inline(__always)
    func text(_ code: UInt32) -> String? {
        guard code != Self.none else { return nil }
        return chunks[Int(code >> UInt32(Self.chunkBits))].unsafelyUnwrapped[Int(code) & (Self.chunkSize - 1)]
    }
}

/// A string compared and hashed by its exact UTF-8 bytes, not by Unicode equivalence: two
/// spellings of "José", or `K` and the Kelvin sign, are two values (an attacker's lookalike must
/// not be read back as the genuine spelling).
struct ExactText: Hashable, Sendable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (a: ExactText, b: ExactText) -> Bool { a.text.sameBytes(as: b.text) }

    func hash(into hasher: inout Hasher) {
        text.withUTF8Bytes { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
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
