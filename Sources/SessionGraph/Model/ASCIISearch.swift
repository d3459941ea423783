#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Substring and prefix tests on a string's UTF-8 bytes, ASCII letters compared without case.
///
/// The rules and the client classifier test many short lower-case ASCII needles against user
/// agents and operation names. `lowercased()` plus `String.contains` allocates a copy and goes
/// through grapheme-aware matching; these compare bytes in place. A needle must be lower-case
/// ASCII. Only ASCII letters are folded: a non-ASCII character never matches a needle byte,
/// even one that `lowercased()` would turn into ASCII (the Kelvin sign), so look-alike letters
/// in a hostile user agent cannot be made to match.
extension String {
    /// Whether the text contains `needle` (lower-case ASCII), ignoring ASCII case.
    func containsIgnoringASCIICase(_ needle: String) -> Bool {
        withUTF8Bytes { text in needle.withUTF8Bytes { find($0, in: text, anchored: false) } }
    }

    /// Whether the text starts with `needle` (lower-case ASCII), ignoring ASCII case.
    func hasPrefixIgnoringASCIICase(_ needle: String) -> Bool {
        withUTF8Bytes { text in needle.withUTF8Bytes { find($0, in: text, anchored: true) } }
    }

    /// Whether the text ends with `needle` (lower-case ASCII), ignoring ASCII case.
    func hasSuffixIgnoringASCIICase(_ needle: String) -> Bool {
        withUTF8Bytes { text in
            needle.withUTF8Bytes { needle in
                text.count >= needle.count && find(needle, in: UnsafeBufferPointer(rebasing: text[(text.count - needle.count)...]), anchored: true)
            }
        }
    }

    /// Whether the text is `needle` (lower-case ASCII), ignoring ASCII case.
    func equalsIgnoringASCIICase(_ needle: String) -> Bool {
        utf8.count == needle.utf8.count && hasPrefixIgnoringASCIICase(needle)
    }

    /// Whether the text contains any of `needles` (each lower-case ASCII), ignoring ASCII case.
    func containsAnyIgnoringASCIICase(_ needles: [String]) -> Bool {
        withUTF8Bytes { text in needles.contains { needle in needle.withUTF8Bytes { find($0, in: text, anchored: false) } } }
    }

    /// Whether the two strings are the same bytes. Log text is compared this way wherever it
    /// is a key: `==` holds Unicode-equivalent spellings equal (a precomposed `é` and `e` with a
    /// combining accent, `K` and the Kelvin sign), and a lookalike must stay what it is.
    func sameBytes(as other: String) -> Bool {
        utf8.count == other.utf8.count && other.withUTF8Bytes { sameBytes(as: $0) }
    }

    /// Whether the string is exactly `bytes`.
    func sameBytes(as bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        utf8.count == bytes.count && withUTF8Bytes { own in
            guard let x = own.baseAddress, let y = bytes.baseAddress else { return own.count == bytes.count }
            return memcmp(x, y, bytes.count) == 0
        }
    }

    /// The string's UTF-8 bytes in place (a copy only for a bridged, non-contiguous string).
    @inline(__always)
    func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(utf8).withUnsafeBufferPointer(body)
    }
}

@inline(__always)
private func find(_ needle: UnsafeBufferPointer<UInt8>, in text: UnsafeBufferPointer<UInt8>, anchored: Bool) -> Bool {
    let n = needle.count
    guard n > 0 else { return true }
    guard text.count >= n else { return false }
    let first = needle[0]
    let last = anchored ? 0 : text.count - n
    if !anchored, lowerASCII(first) == first, first &- 0x61 >= 26 {
        // A first byte that is not a letter has one spelling: `memchr` jumps to each place it
        // is (a path needle's `/` in a URI), instead of a compare at every byte.
        return anyPlace(of: first, in: text, through: last) { at in
            var i = 1
            while i < n, lowerASCII(text[at + i]) == needle[i] { i += 1 }
            return i == n
        }
    }
    var start = 0
    while start <= last {
        if lowerASCII(text[start]) == first {
            var i = 1
            while i < n, lowerASCII(text[start + i]) == needle[i] { i += 1 }
            if i == n { return true }
        }
        start += 1
    }
    return false
}

/// Whether `matches` holds at some place of `text` up to `last` that holds `byte`, the places
/// found by `memchr` (first to last).
@inline(__always)
func anyPlace(of byte: UInt8, in text: UnsafeBufferPointer<UInt8>, through last: Int, where matches: (Int) -> Bool) -> Bool {
    guard let base = text.baseAddress else { return false }
    var start = 0
    while start <= last {
        guard let hit = memchr(base + start, Int32(byte), last - start + 1) else { return false }
        let at = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
        if matches(at) { return true }
        start = at + 1
    }
    return false
}

/// The byte with an ASCII upper-case letter lowered; every other byte as it is.
@inline(__always)
func lowerASCII(_ c: UInt8) -> UInt8 { (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c }
