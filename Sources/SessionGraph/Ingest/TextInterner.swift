/// A file's front cache of ``TextVocabulary`` codes: the repeated values of a file's records (an
/// app id, a user agent, an address seen on thousands of records) are looked up here without a
/// lock, and only a value new to the file goes to the shared vocabulary.
///
/// An open-addressing table keyed by a word-at-a-time hash of the bytes: every text field of
/// every record passes through here, and `Dictionary<String, _>`'s SipHash over long user agents
/// and URIs was a tenth of the ingest time.
struct TextInterner {
    /// One entry of the table: the hash and code side by side, so a probe reads one slot (three
    /// parallel arrays cost three cache misses a lookup once a file's table outgrew the cache).
    private struct Slot {
        var hash: UInt64 = 0
        var code: UInt32 = 0
        /// Where the text is in ``texts``; -1 for an empty slot.
        var text: Int32 = -1
    }

    private var slots = [Slot](repeating: Slot(), count: 1024)
    /// ``TextVocabulary/seed``, held by the interner: a static is read through a call on every
    /// access. The vocabulary's seed, so a new value's hash is handed over, not made again.
    private let hashSeed = TextVocabulary.seed
    /// The texts held, in the order they came; a slot's hash match is confirmed on these bytes.
    private var texts: [String] = []

    /// The vocabulary code of `value` (``TextVocabulary/none`` for nil). A value the file has
    /// seen is found by its bytes, without making a string.
    mutating func code(_ value: FieldText?) -> UInt32 {
        guard let value else { return TextVocabulary.none }
        return value.withUTF8 { bytes in
            let hash = WordHash.hash(bytes, seed: hashSeed, foldingASCIICase: false)
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot].text >= 0 {
                if slots[slot].hash == hash && texts[Int(slots[slot].text)].sameBytes(as: bytes) { return slots[slot].code }
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
            let code = TextVocabulary.shared.code(text, hash: hash)
            texts.append(text)
            slots[slot] = Slot(hash: hash, code: code, text: Int32(texts.count - 1))
            if texts.count * 2 > slots.count { grow() }
            return code
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        var grown = [Slot](repeating: Slot(), count: size)
        for entry in slots where entry.text >= 0 {
            var slot = Int(truncatingIfNeeded: entry.hash) & (size - 1)
            while grown[slot].text >= 0 { slot = (slot + 1) & (size - 1) }
            grown[slot] = entry
        }
        slots = grown
    }
}
