/// A hash over eight bytes at a time (the tail zero-padded, the length mixed in), for the hash
/// tables the reader probes on every key and value of every record: record keys
/// (``ReadFields``, ASCII case folded) and repeated values (``TextInterner`` and
/// ``TextVocabulary``, seeded per process).
///
/// Each word is mixed into the state by a folded multiply (the 128-bit product's halves XORed)
/// with a multiplier drawn from the seed, so the seed enters every step and no difference
/// between two inputs cancels whatever the seed: log text is attacker-written, and a table
/// keyed by a hash it can make collide is probed along one long chain for every value. The
/// multiply-xorshift before this had such differences (a flipped top bit of a word cancelled
/// for about half of all seeds), and a million crafted 320-byte values took 100 s to intern
/// against 0.4 s for random ones.
enum WordHash {
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64, foldingASCIICase fold: Bool) -> UInt64 {
        let count = bytes.count
        // Odd, so the multiply loses no bit of the word.
        let multiplier = (seed ^ 0xA076_1D64_78BD_642F) | 1
        var value = mix(seed ^ 0xE703_7ED1_A0B4_28DB, UInt64(truncatingIfNeeded: count) ^ multiplier)
        var offset = 0
        var tail: UInt64 = 0
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while offset + 8 <= count {
                let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                value = mix(value ^ (fold ? lowerASCIIWord(word) : word), multiplier)
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
        // The tables take the low bits: the high half of the product is folded down once more.
        let hash = mix(value ^ tail, (multiplier ^ 0x8EBC_6AF0_9C88_C6E3) | 1)
        return hash ^ (hash >> 32)
    }

    /// The folded multiply: the halves of the 128-bit product XORed.
    @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (high, low) = a.multipliedFullWidth(by: b)
        return high ^ low
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
