#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Normalises the identifiers that link records (schemas.md §1): session ids, token ids,
/// GUID-typed ids and IP addresses. Each function returns `nil` with a reason when the value
/// must not be used as a join key (empty, placeholder, malformed), so nothing joins on junk.
enum IdentifierNormalizer {
    /// A value refused as a join key, and why.
    struct Refusal: Error, Equatable {
        var reason: String
    }

    /// A session id: GUID-shaped (32 hex digits in 8-4-4-4-12, version bits not checked),
    /// compared case-insensitively, so lower-cased.
    static func sessionId(_ raw: String) -> Result<String, Refusal> {
        let value = raw.trimmingASCIIWhitespace()
        guard !value.isEmpty else { return .failure(Refusal(reason: "empty")) }
        guard let guid = guid(value) else {
            return .failure(Refusal(reason: "'\(clip(value))' is not GUID-shaped"))
        }
        if isPlaceholderGUID(guid) { return .failure(Refusal(reason: "'\(guid)' is a placeholder")) }
        return .success(guid)
    }

    /// A unique token identifier: kept exactly (case-sensitive), trailing `=` padding removed.
    static func uniqueTokenId(_ raw: String) -> Result<String, Refusal> {
        var value = raw.trimmingASCIIWhitespace()
        while value.hasSuffix("=") { value.removeLast() }
        guard !value.isEmpty else { return .failure(Refusal(reason: "empty")) }
        guard value.utf8.count <= 128 else { return .failure(Refusal(reason: "\(value.utf8.count) characters long (expected 22 or 48)")) }
        guard value.utf8.allSatisfy(isBase64URLByte) else {
            return .failure(Refusal(reason: "'\(clip(value))' has characters outside base64"))
        }
        if isPlaceholder(value) { return .failure(Refusal(reason: "'\(clip(value))' is a placeholder")) }
        return .success(value)
    }

    /// Where each of a .NET GUID's 16 bytes goes in its text form.
    static let guidByteOrder = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15]

    /// The sign-in request id a token id decodes to (schemas.md §1.1): 16 bytes read as a
    /// little-endian .NET GUID, or 36 bytes of an ASCII GUID string. `nil` when it does not decode.
    static func requestId(fromTokenId uti: String) -> String? {
        guard let bytes = base64Decode(uti) else { return nil }
        if bytes.count == 16 {
            // .NET GUID layout: the first three groups little-endian, the rest in order.
            return String(unsafeUninitializedCapacity: 36) { text in
                var out = 0
                for (i, index) in guidByteOrder.enumerated() {
                    if i == 4 || i == 6 || i == 8 || i == 10 {
                        text[out] = UInt8(ascii: "-")
                        out += 1
                    }
                    text[out] = hexDigit(bytes[index] >> 4)
                    text[out + 1] = hexDigit(bytes[index] & 0x0F)
                    out += 2
                }
                return out
            }
        }
        if bytes.count == 36, bytes.allSatisfy({ $0 < 0x80 }) {
            return guid(String(decoding: bytes, as: UTF8.self))
        }
        return nil
    }

    /// A GUID in canonical lower-case form, or `nil` when the text is not GUID-shaped
    /// (braces allowed).
    static func guid(_ raw: String) -> String? {
        if isCanonicalGUID(raw) { return raw }
        var bytes = Array(raw.utf8)
        if bytes.count == 38, bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") {
            bytes = Array(bytes[1..<37])
        }
        guard bytes.count == 36 else { return nil }
        for (i, byte) in bytes.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
            } else {
                guard isHex(byte) else { return nil }
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F") { bytes[i] = byte | 0x20 }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `raw` already is a lower-case 8-4-4-4-12 GUID (the common case: no copy needed).
    static func isCanonicalGUID(_ raw: String) -> Bool {
        raw.withUTF8Bytes(isCanonicalGUID)
    }

    /// Checked eight bytes at a time (``CanonicalGUID``): every id field of every record comes here.
    static func isCanonicalGUID(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        CanonicalGUID.words(bytes) != nil
    }

    /// Whether canonical GUID bytes are the zero GUID.
    static func isZeroGUID(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "-") }
    }

    /// Whether `bytes` are a token id ``uniqueTokenId(_:)`` keeps exactly as they are: base64
    /// characters only (no padding, no space), at most 128, not one character repeated.
    static func isPlainTokenId(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.count <= 128 && bytes.allSatisfy(isBase64URLByte) && !bytes.allSatisfy { $0 == bytes[0] }
    }

    /// A GUID-typed id (user, tenant, device, request): canonical lower case when it is a
    /// GUID, otherwise kept as written (anonymised samples use other values).
    static func guidOrText(_ raw: String) -> String? {
        let value = raw.trimmingASCIIWhitespace()
        guard !value.isEmpty else { return nil }
        if let canonical = guid(value) {
            return canonical == "00000000-0000-0000-0000-000000000000" ? nil : canonical
        }
        return value
    }

    /// An IP address without port or brackets, in canonical form, or a refusal
    /// (`[2a01:db8::1]:36185` → `2a01:db8::1`, `185.73.124.135:19823` → `185.73.124.135`).
    static func ipAddress(_ raw: String) -> Result<String, Refusal> {
        if isCanonicalIPv4(raw) || isCanonicalIPv6(raw) { return .success(raw) }
        var value = raw.trimmingASCIIWhitespace()
        guard !value.isEmpty else { return .failure(Refusal(reason: "empty")) }
        guard value.utf8.count <= 64 else { return .failure(Refusal(reason: "\(value.utf8.count) characters long")) }
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { return .failure(Refusal(reason: "'\(clip(value))' has an unclosed '['")) }
            value = String(value[value.index(after: value.startIndex)..<close])
        } else if value.filter({ $0 == ":" }).count == 1, value.contains(".") {
            value = String(value[..<value.firstIndex(of: ":")!])
        }
        if let zone = value.firstIndex(of: "%") { value = String(value[..<zone]) }
        if let v4 = canonical(value, family: AF_INET, size: 4) { return .success(v4) }
        if let v6 = canonical(value, family: AF_INET6, size: 16) {
            // IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address.
            if v6.hasPrefix("::ffff:"), v6.contains("."), let v4 = canonical(String(v6.dropFirst(7)), family: AF_INET, size: 4) {
                return .success(v4)
            }
            return .success(v6)
        }
        return .failure(Refusal(reason: "'\(clip(value))' is not an IPv4 or IPv6 address"))
    }

    /// Dotted-quad IPv4 in canonical form (four octets 0–255, no leading zeros): kept as is.
    static func isCanonicalIPv4(_ raw: String) -> Bool {
        raw.withUTF8Bytes(isCanonicalIPv4)
    }

    static func isCanonicalIPv4(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        var octets = 0, digits = 0, value = 0, leadingZero = false
        for byte in raw {
            if byte == UInt8(ascii: ".") {
                guard digits > 0 else { return false }
                octets += 1
                digits = 0
                value = 0
                continue
            }
            guard byte >= 0x30 && byte <= 0x39, digits < 3 else { return false }
            if digits == 0 { leadingZero = byte == 0x30 } else if leadingZero { return false }
            value = value * 10 + Int(byte - 0x30)
            guard value <= 255 else { return false }
            digits += 1
        }
        return octets == 3 && digits > 0
    }

    /// An IPv6 address already in the form ``canonical(_:family:size:)`` gives (RFC 5952, as
    /// `inet_ntop` writes it): kept as is, checked without allocating. Addresses with a dot (an
    /// embedded IPv4), a zone, brackets or a port are left to the full normalisation.
    static func isCanonicalIPv6(_ raw: String) -> Bool {
        raw.withUTF8Bytes(isCanonicalIPv6)
    }

    static func isCanonicalIPv6(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count >= 2, text.count <= 39,
              text.allSatisfy({ ($0 >= 0x30 && $0 <= 0x3A) || ($0 >= 0x61 && $0 <= 0x66) }) else { return false }
        // One scratch buffer on the stack: the text NUL-terminated (bytes 0–47), the 16
        // address bytes (48–63), and what inet_ntop writes (64–111).
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 112) { scratch -> Bool in
            guard let base = scratch.baseAddress, let source = text.baseAddress else { return false }
            base.initialize(from: source, count: text.count)
            base[text.count] = 0
            let address = base + 48, output = base + 64
            let parsed = base.withMemoryRebound(to: CChar.self, capacity: 48) { inet_pton(AF_INET6, $0, address) }
            guard parsed == 1 else { return false }
            let written = output.withMemoryRebound(to: CChar.self, capacity: 48) { inet_ntop(AF_INET6, address, $0, 48) }
            guard written != nil else { return false }
            for index in 0..<text.count where output[index] != text[index] { return false }
            return output[text.count] == 0
        }
    }

    private static func canonical(_ text: String, family: Int32, size: Int) -> String? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let ok = text.withCString { inet_pton(family, $0, &buffer) }
        guard ok == 1 else { return nil }
        var out = [CChar](repeating: 0, count: 64)
        guard inet_ntop(family, buffer, &out, socklen_t(out.count)) != nil else { return nil }
        return String(decoding: out.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A canonical GUID whose 32 digits are all the same (`00000000-…`, `11111111-…`).
    static func isPlaceholderGUID(_ guid: String) -> Bool {
        guid.withUTF8Bytes(isPlaceholderGUID)
    }

    static func isPlaceholderGUID(_ guid: UnsafeBufferPointer<UInt8>) -> Bool {
        var first: UInt8?
        for byte in guid where byte != UInt8(ascii: "-") {
            if first == nil { first = byte } else if byte != first { return false }
        }
        return true
    }

    /// A value made of one repeated character (`0000…`, `AAAA…`, `mmmm…`, `1111…-…`).
    static func isPlaceholder(_ value: String) -> Bool {
        guard let first = value.utf8.first else { return true }
        return value.utf8.allSatisfy { $0 == first }
    }

    static func clip(_ value: String, _ limit: Int = 60) -> String {
        value.utf8.count <= limit ? value : String(value.prefix(limit)) + "…"
    }
}

private func isHex(_ byte: UInt8) -> Bool {
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
}

private func isBase64URLByte(_ byte: UInt8) -> Bool {
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
}

@inline(__always)
private func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? nibble + 0x30 : nibble + 0x57
}

/// Decodes base64 or base64url, with or without padding; `nil` on any other character or a
/// length that cannot be base64.
func base64Decode(_ text: String) -> [UInt8]? {
    var values: [UInt8] = []
    values.reserveCapacity(text.utf8.count)
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(byte - 65)
        case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(byte - 71)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(byte + 4)
        case UInt8(ascii: "+"), UInt8(ascii: "-"): values.append(62)
        case UInt8(ascii: "/"), UInt8(ascii: "_"): values.append(63)
        case UInt8(ascii: "="): continue
        default: return nil
        }
    }
    guard values.count % 4 != 1 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(values.count * 3 / 4)
    var i = 0
    while i + 4 <= values.count {
        let n = UInt32(values[i]) << 18 | UInt32(values[i + 1]) << 12 | UInt32(values[i + 2]) << 6 | UInt32(values[i + 3])
        out.append(UInt8(n >> 16 & 0xFF))
        out.append(UInt8(n >> 8 & 0xFF))
        out.append(UInt8(n & 0xFF))
        i += 4
    }
    let rest = values.count - i
    if rest == 2 {
        let n = UInt32(values[i]) << 18 | UInt32(values[i + 1]) << 12
        out.append(UInt8(n >> 16 & 0xFF))
    } else if rest == 3 {
        let n = UInt32(values[i]) << 18 | UInt32(values[i + 1]) << 12 | UInt32(values[i + 2]) << 6
        out.append(UInt8(n >> 16 & 0xFF))
        out.append(UInt8(n >> 8 & 0xFF))
    }
    return out
}
