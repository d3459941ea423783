import Foundation

/// A GUID held as its 16 bytes in text order (`00112233-4455-6677-8899-aabbccddeeff`).
struct GUID: Hashable, Sendable {
    var hi: UInt64
    var lo: UInt64

    static let zero = GUID(hi: 0, lo: 0)

    /// A random GUID with RFC 4122 version-4 bits.
    static func random(_ rng: inout SplitMix64) -> GUID {
        var hi = rng.next()
        var lo = rng.next()
        hi = (hi & ~0xF000) | 0x4000
        lo = (lo & ~(0xC000_0000_0000_0000 as UInt64)) | 0x8000_0000_0000_0000
        return GUID(hi: hi, lo: lo)
    }

    /// An Entra sign-in request id: random, ending in a two-hex "counter" byte of 00
    /// (`…2f3500`), as the ids in the samples do.
    static func requestId(_ rng: inout SplitMix64) -> GUID {
        var g = random(&rng)
        g.lo = (g.lo & ~0xFFFF) | (UInt64(rng.below(0x40)) << 8)
        return g
    }

    /// An Entra session id: GUID-shaped, not RFC-valid, starting with `00`.
    static func sessionId(_ rng: inout SplitMix64) -> GUID {
        GUID(hi: rng.next() & 0x00FF_FFFF_FFFF_FFFF, lo: rng.next())
    }

    func byte(_ i: Int) -> UInt8 {
        i < 8 ? UInt8(truncatingIfNeeded: hi >> (56 - 8 * i)) : UInt8(truncatingIfNeeded: lo >> (56 - 8 * (i - 8)))
    }

    var string: String {
        var b = ByteBuffer(capacity: 36)
        b.guid(self)
        return b.string
    }

    var upper: String { string.uppercased() }

    /// The 22-character unique token identifier whose decoding is this GUID: base64url (no
    /// padding) of the 16 bytes in .NET little-endian order (schemas.md §1.1).
    var uniqueTokenIdentifier: String {
        let order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15]
        var bytes = [UInt8](repeating: 0, count: 16)
        for (i, index) in order.enumerated() { bytes[i] = byte(index) }
        return base64URL(bytes)
    }
}

private let base64URLAlphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

/// Base64url without padding.
func base64URL(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count * 4 + 2) / 3)
    var i = 0
    while i + 3 <= bytes.count {
        let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
        out.append(base64URLAlphabet[Int(n >> 18 & 63)])
        out.append(base64URLAlphabet[Int(n >> 12 & 63)])
        out.append(base64URLAlphabet[Int(n >> 6 & 63)])
        out.append(base64URLAlphabet[Int(n & 63)])
        i += 3
    }
    let rest = bytes.count - i
    if rest == 1 {
        let n = UInt32(bytes[i]) << 16
        out.append(base64URLAlphabet[Int(n >> 18 & 63)])
        out.append(base64URLAlphabet[Int(n >> 12 & 63)])
    } else if rest == 2 {
        let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
        out.append(base64URLAlphabet[Int(n >> 18 & 63)])
        out.append(base64URLAlphabet[Int(n >> 12 & 63)])
        out.append(base64URLAlphabet[Int(n >> 6 & 63)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Lower-case hex of random bytes (ReportId, thumbprints, mailbox GUID parts).
func randomHex(_ rng: inout SplitMix64, count: Int, upper: Bool = false) -> String {
    let digits: [UInt8] = Array((upper ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
    var out: [UInt8] = []
    out.reserveCapacity(count)
    var word = rng.next()
    var left = 16
    for _ in 0..<count {
        if left == 0 { word = rng.next(); left = 16 }
        out.append(digits[Int(word & 15)])
        word >>= 4
        left -= 1
    }
    return String(decoding: out, as: UTF8.self)
}
