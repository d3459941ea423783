/// Keeps one copy of each repeated string value read from a file (an app id, a user agent, an
/// address seen on thousands of records), so events share it instead of each holding its own
/// heap copy. Strings of up to 15 UTF-8 bytes live inside the String value and are left alone.
///
/// An open-addressing table keyed by a word-at-a-time hash of the bytes: every field of every
/// record passes through here, and `Set<String>`'s SipHash over long user agents and URIs was
/// a tenth of the ingest time.
struct TextInterner {
    private var held: [String?] = Array(repeating: nil, count: 1024)
    private var hashes: [UInt64] = Array(repeating: 0, count: 1024)
    private var count = 0

    mutating func share(_ value: inout String?) {
        guard let text = value, text.utf8.count > 15 else { return }
        let hash = text.withUTF8Bytes(Self.hash)
        let mask = held.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while let existing = held[slot] {
            if hashes[slot] == hash && existing == text {
                value = existing
                return
            }
            slot = (slot + 1) & mask
        }
        held[slot] = text
        hashes[slot] = hash
        count += 1
        if count * 2 > held.count { grow() }
    }

    mutating func share(_ event: inout Event) {
        event.shareRepeatedText { share(&$0) }
    }

    private mutating func grow() {
        let old = zip(held, hashes)
        let size = held.count * 2
        var newHeld = [String?](repeating: nil, count: size)
        var newHashes = [UInt64](repeating: 0, count: size)
        for (text, hash) in old {
            guard let text else { continue }
            var slot = Int(truncatingIfNeeded: hash) & (size - 1)
            while newHeld[slot] != nil { slot = (slot + 1) & (size - 1) }
            newHeld[slot] = text
            newHashes[slot] = hash
        }
        held = newHeld
        hashes = newHashes
    }

    /// Drawn per process, like the standard library's hash seed, so log text cannot be written
    /// to collide in this table.
    private static let seed = UInt64.random(in: 0...UInt64.max)

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        WordHash.hash(bytes, seed: seed, foldingASCIICase: false)
    }
}
