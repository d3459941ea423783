/// A multiply-xorshift hash over eight bytes at a time (the tail zero-padded, the length mixed
/// in), for the hash tables the reader probes on every key and value of every record: record
/// keys (``ReadFields``, ASCII case folded) and repeated values (``TextInterner`` and
/// ``TextVocabulary``, seeded).
enum WordHash {
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64, foldingASCIICase fold: Bool) -> UInt64 {
        let count = bytes.count
        var value = (seed ^ UInt64(truncatingIfNeeded: count)) &* 0x9E37_79B9_7F4A_7C15
        var offset = 0
        var tail: UInt64 = 0
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while offset + 8 <= count {
                let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                value = (value ^ (fold ? lowerASCIIWord(word) : word)) &* 0xBF58_476D_1CE4_E5B9
                value ^= value >> 31
                offset += 8
            }
            let left = count - offset
            if left > 0 && count >= 8 {
                // The last eight bytes, shifted so only the ones not yet mixed remain: the same
                // word the byte loop below builds, in one load.
                tail = raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self).littleEndian >> UInt64(64 - 8 * left)
                if fold { tail = lowerASCIIWord(tail) }
                offset = count
            }
        }
        var shift: UInt64 = 0
        while offset < count {
            tail |= UInt64(fold ? lowerASCII(bytes[offset]) : bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        value = (value ^ tail) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 32)
    }

    /// The eight bytes of `word` with ASCII `A`–`Z` lowered and every other byte unchanged
    /// (no carry crosses a byte: each test adds at most 0x3F to a 7-bit value).
    @inline(__always)
    static func lowerASCIIWord(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let low7 = word & ~high
        let atLeastA = low7 &+ ones &* (0x80 - 0x41)
        let beyondZ = low7 &+ ones &* (0x80 - 0x5B)
        let upper = atLeastA & ~beyondZ & ~word & high
        return word | (upper >> 2)
    }
}
