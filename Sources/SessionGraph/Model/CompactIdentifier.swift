/// An identifier's text, held in 16 bytes when it has one of the two forms that nearly every id
/// of a run has, and as the text itself otherwise:
///
/// - `guid`: a lower-case 8-4-4-4-12 GUID (request, correlation and record ids as the readers
///   normalise them), its 32 hex digits in text order;
/// - `token`: a 22-character base64url token id (`uti`), the 16 bytes it encodes.
///
/// Each text has exactly one form (the forms are only taken when the text is their canonical
/// spelling), so equal texts are equal values. Texts are compared by their exact bytes, like
/// every identifier: a lookalike spelling is another identifier. An event then holds no heap copy of its
/// per-record ids (each was a 36-byte string of its own), and the link stage hashes and
/// compares two words instead of 22–36 bytes.
enum CompactIdentifier: Hashable, Sendable {
    case guid(UInt64, UInt64)
    case token(UInt64, UInt64)
    case text(String)

    init(_ text: String) {
        self = text.withUTF8Bytes { bytes in Self.compact(bytes) } ?? .text(text)
    }

    /// The compact form of `bytes`, or nil when they have neither form.
    static func compact(_ bytes: UnsafeBufferPointer<UInt8>) -> CompactIdentifier? {
        if let (high, low) = guidBits(bytes) { return .guid(high, low) }
        if let (high, low) = tokenBits(bytes) { return .token(high, low) }
        return nil
    }

    static func == (a: CompactIdentifier, b: CompactIdentifier) -> Bool {
        switch (a, b) {
        case let (.guid(h1, l1), .guid(h2, l2)), let (.token(h1, l1), .token(h2, l2)): return h1 == h2 && l1 == l2
        case let (.text(x), .text(y)): return x.sameBytes(as: y)
        default: return false
        }
    }

    func hash(into hasher: inout Hasher) {
        switch self {
        case let .guid(high, low):
            hasher.combine(UInt8(0)); hasher.combine(high); hasher.combine(low)
        case let .token(high, low):
            hasher.combine(UInt8(1)); hasher.combine(high); hasher.combine(low)
        case let .text(text):
            hasher.combine(UInt8(2)); text.withUTF8Bytes { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }

    /// The text the identifier was made from, unchanged.
    var text: String {
        switch self {
        case .text(let text): return text
        case .guid(let high, let low):
            return String(unsafeUninitializedCapacity: 36) { out in
                var position = 0
                for nibble in 0..<32 {
                    if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 {
                        out[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    let word = nibble < 16 ? high : low
                    let value = UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * (nibble & 15))) & 0x0F
                    out[position] = value < 10 ? value + 0x30 : value + 0x57
                    position += 1
                }
                return position
            }
        case .token(let high, let low):
            // 128 bits as 22 base64url digits: 21 full six-bit digits and one holding the last
            // two bits (followed by four zero bits).
            return String(unsafeUninitializedCapacity: 22) { out in
                for digit in 0..<22 {
                    let shift = 122 - 6 * digit
                    let value: UInt64
                    if digit == 21 {
                        value = (low & 0x3) << 4
                    } else if shift >= 64 {
                        value = high >> UInt64(shift - 64)
                    } else if shift > 58 {
                        value = (high << UInt64(64 - shift)) | (low >> UInt64(shift))
                    } else {
                        value = low >> UInt64(shift)
                    }
                    out[digit] = base64URLAlphabet[Int(value & 0x3F)]
                }
                return 22
            }
        }
    }

    /// The sign-in request id a token id decodes to (schemas.md §1.1), as an identifier:
    /// the 16 bytes of a `token` read as a little-endian .NET GUID without making any text.
    var requestIdFromToken: CompactIdentifier? {
        switch self {
        case .token(let high, let low):
            // The text order of a .NET GUID's bytes: the first three groups byte-reversed.
            let first = UInt32(truncatingIfNeeded: high >> 32).byteSwapped
            let second = UInt16(truncatingIfNeeded: high >> 16).byteSwapped
            let third = UInt16(truncatingIfNeeded: high).byteSwapped
            let reordered = UInt64(first) << 32 | UInt64(second) << 16 | UInt64(third)
            return .guid(reordered, low)
        case .guid, .text:
            return IdentifierNormalizer.requestId(fromTokenId: text).map(CompactIdentifier.init)
        }
    }

    /// The 128 bits of a lower-case 8-4-4-4-12 GUID, or nil for any other text.
    private static func guidBits(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
        guard let words = CanonicalGUID.words(bytes) else { return nil }
        return (CanonicalGUID.value(words.digits0) << 32 | CanonicalGUID.value(words.digits1),
                CanonicalGUID.value(words.digits2) << 32 | CanonicalGUID.value(words.digits3))
    }

    /// The 16 bytes of a 22-character base64url text whose last digit carries no bits beyond
    /// the 128 (so re-encoding gives the same text), or nil for any other text.
    private static func tokenBits(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
        guard bytes.count == 22 else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        // The table once: each read of a lazily made global is a call to its initialiser's check.
        let values = base64URLValues
        for index in 0..<22 {
            let value = values[Int(bytes[index])]
            guard value < 64 else { return nil }
            if index == 21 {
                guard value & 0x0F == 0 else { return nil }
                high = high << 2 | low >> 62
                low = low << 2 | UInt64(value >> 4)
            } else {
                // Shift the 128-bit (high, low) left by six and add the digit.
                high = high << 6 | low >> 58
                low = low << 6 | UInt64(value)
            }
        }
        // After 21 digits (126 bits) and the last two bits: high holds bits 127…64.
        return (high, low)
    }
}

private let base64URLAlphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

/// The six-bit value of each byte in the base64url alphabet; 255 for any other byte.
private let base64URLValues: [UInt8] = {
    var table = [UInt8](repeating: 255, count: 256)
    for (value, byte) in base64URLAlphabet.enumerated() { table[Int(byte)] = UInt8(value) }
    return table
}()
