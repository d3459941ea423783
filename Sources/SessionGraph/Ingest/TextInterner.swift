/// A file's front cache of ``TextVocabulary`` codes: the repeated values of a file's records (an
/// app id, a user agent, an address seen on thousands of records) are looked up here without a
/// lock, and only a value new to the file goes to the shared vocabulary.
///
/// An open-addressing table keyed by a word-at-a-time hash of the bytes: every text field of
/// every record passes through here, and `Dictionary<String, _>`'s SipHash over long user agents
/// and URIs was a tenth of the ingest time.
struct TextInterner {
    private var held: [String?] = Array(repeating: nil, count: 1024)
    private var hashes: [UInt64] = Array(repeating: 0, count: 1024)
    private var codes: [UInt32] = Array(repeating: 0, count: 1024)
    private var count = 0

    /// The vocabulary code of `value` (``TextVocabulary/none`` for nil). A value the file has
    /// seen is found by its bytes, without making a string.
    mutating func code(_ value: FieldText?) -> UInt32 {
        guard let value else { return TextVocabulary.none }
        return value.withUTF8 { bytes in
            let hash = Self.hash(bytes)
            let mask = held.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while let existing = held[slot] {
                if hashes[slot] == hash && existing.sameBytes(as: bytes) { return codes[slot] }
                slot = (slot + 1) & mask
            }
            let text: String
            switch value {
            case .text(let string): text = string
            case .bytes(let raw):
                guard let valid = String(validating: raw, as: UTF8.self) else {
                    // Invalid UTF-8 is repaired in the string, whose bytes then differ from
                    // these: kept out of the cache (it would never match them again), so a
                    // repeated broken value costs a lookup in the vocabulary, not a slot each time.
                    return TextVocabulary.shared.code(String(decoding: raw, as: UTF8.self))
                }
                text = valid
            }
            let code = TextVocabulary.shared.code(text)
            held[slot] = text
            hashes[slot] = hash
            codes[slot] = code
            count += 1
            if count * 2 > held.count { grow() }
            return code
        }
    }

    private mutating func grow() {
        let size = held.count * 2
        var newHeld = [String?](repeating: nil, count: size)
        var newHashes = [UInt64](repeating: 0, count: size)
        var newCodes = [UInt32](repeating: 0, count: size)
        for index in held.indices {
            guard let text = held[index] else { continue }
            var slot = Int(truncatingIfNeeded: hashes[index]) & (size - 1)
            while newHeld[slot] != nil { slot = (slot + 1) & (size - 1) }
            newHeld[slot] = text
            newHashes[slot] = hashes[index]
            newCodes[slot] = codes[index]
        }
        held = newHeld
        hashes = newHashes
        codes = newCodes
    }

    /// Drawn per process, like the standard library's hash seed, so log text cannot be written
    /// to collide in this table.
    private static let seed = UInt64.random(in: 0...UInt64.max)

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        WordHash.hash(bytes, seed: seed, foldingASCIICase: false)
    }
}
