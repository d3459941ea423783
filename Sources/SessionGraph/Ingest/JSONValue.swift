/// A parsed JSON value, as read from an export record.
///
/// Objects keep their members in input order as an array of pairs, so duplicate keys are
/// preserved (the Graph documentation's own example has one) and lookups can follow an explicit
/// policy. Numbers keep their lexeme: .NET ticks and epoch values stay exact, and a number is
/// rendered back exactly as the log wrote it.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}

extension JSONValue {
    /// The member named `key`, compared ASCII case-insensitively; the last one wins when a key
    /// is repeated (the common behaviour of JSON readers, and what Log Analytics keeps).
    public subscript(key: String) -> JSONValue? { key.withUTF8Bytes { member(named: $0) } }

    /// The member whose key is the bytes `wanted`, compared ASCII case-insensitively; the last
    /// one when a key is repeated.
    func member(named wanted: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        // Compare keys in place (no copy of each member) and copy only the value found; from
        // the end, so the first match is the last occurrence. A member's bytes are looked at
        // only when its length matches (every field a mapper reads is one scan of the members).
        let found = members.withUnsafeBufferPointer { buffer -> Int in
            var index = buffer.count - 1
            while index >= 0 {
                let candidate = buffer[index].key
                if candidate.utf8.count == wanted.count, candidate.withUTF8Bytes({ asciiCaseInsensitiveEqual($0, wanted) }) { break }
                index -= 1
            }
            return index
        }
        return found >= 0 ? members[found].value : nil
    }

    /// The member named exactly `key` (case-sensitive).
    public func member(exactly key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    /// Whether the object has a member named `key` (case-insensitive), whatever its value.
    public func has(_ key: String) -> Bool { self[key] != nil }

    /// Whether the object has a member named exactly `key`.
    public func hasExactly(_ key: String) -> Bool { member(exactly: key) != nil }

    /// The value as text: strings as they are, numbers as their lexeme, booleans as
    /// `true`/`false`. Empty strings, `null`, arrays and objects give `nil`.
    public var text: String? {
        switch self {
        case .string(let s): return s.isEmpty ? nil : s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    /// The value as a boolean: JSON booleans, `true`/`TRUE`/`True`/`1`, `false`/`FALSE`/`0`.
    public var boolean: Bool? {
        switch self {
        case .bool(let b): return b
        case .number(let n): return n == "1" ? true : (n == "0" ? false : nil)
        case .string(let s):
            switch s.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// The value as an integer, from a JSON number or a string holding one.
    public var integer: Int64? {
        switch self {
        case .number(let n), .string(let n): return Int64(n.trimmingASCIIWhitespace())
        default: return nil
        }
    }

    /// The value as a double, from a JSON number or a string holding one.
    public var double: Double? {
        switch self {
        case .number(let n), .string(let n): return Double(n.trimmingASCIIWhitespace())
        default: return nil
        }
    }

    /// Nested data that may arrive as an object/array or as a string holding JSON (even doubly
    /// encoded): returns the decoded structure, or `nil` when it is neither.
    public var structured: JSONValue? {
        var current = self
        for _ in 0..<3 {
            switch current {
            case .object, .array: return current
            case .string(let s):
                guard let first = s.utf8.first(where: { !isJSONWhitespace($0) }),
                      first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || first == UInt8(ascii: "\"")
                else { return nil }
                guard let decoded = try? JSONParser.parse(Array(s.utf8)) else { return nil }
                current = decoded
            default: return nil
            }
        }
        return nil
    }

    /// The elements when the value is an array (or a string holding a JSON array).
    public var elements: [JSONValue] {
        if case .array(let items) = structured { return items }
        return []
    }

    /// The keys of an object, in input order.
    public var keys: [String] {
        guard case .object(let members) = self else { return [] }
        return members.map(\.key)
    }

    /// Keys that occur more than once in this object (case-sensitive), in first-seen order.
    public var duplicateKeys: [String] {
        guard case .object(let members) = self, members.count > 1 else { return [] }
        var seen = Set<String>()
        var repeated: [String] = []
        for member in members where !seen.insert(member.key).inserted && !repeated.contains(member.key) {
            repeated.append(member.key)
        }
        return repeated
    }
}

/// ASCII case-insensitive comparison, without allocating or copying: lengths first (free for
/// native strings), then the bytes in place.
@inline(__always)
func asciiCaseInsensitiveEqual(_ a: String, _ b: String) -> Bool {
    let ua = a.utf8, ub = b.utf8
    guard ua.count == ub.count else { return false }
    let fast = ua.withContiguousStorageIfAvailable { x in
        ub.withContiguousStorageIfAvailable { y in asciiCaseInsensitiveEqual(x, y) }
    }
    if let result = fast ?? nil { return result }
    return ua.elementsEqual(ub) { lowerASCII($0) == lowerASCII($1) }
}

@inline(__always)
func asciiCaseInsensitiveEqual(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
    guard x.count == y.count else { return false }
    var start = 0
    if let a = x.baseAddress, let b = y.baseAddress {
        // Eight bytes at a time, each word lowered as ``lowerASCII(_:)`` lowers each byte.
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while start + 8 <= x.count {
            let wa = ra.loadUnaligned(fromByteOffset: start, as: UInt64.self), wb = rb.loadUnaligned(fromByteOffset: start, as: UInt64.self)
            if wa != wb && WordHash.lowerASCIIWord(wa) != WordHash.lowerASCIIWord(wb) { return false }
            start += 8
        }
    }
    for i in start..<x.count {
        let cx = x[i], cy = y[i]
        if cx != cy && lowerASCII(cx) != lowerASCII(cy) { return false }
    }
    return true
}
