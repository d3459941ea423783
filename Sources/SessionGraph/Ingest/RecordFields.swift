/// What the record mappers read of a record object: its members by key, compared ASCII
/// case-insensitively, the last of a repeated key winning (the common behaviour of JSON readers,
/// and what Log Analytics keeps).
///
/// Two kinds of record provide it: a parsed ``JSONValue`` (a CSV row, a nested `properties` or
/// `AuditData` object, a record read again in full) and a ``FlatRecord`` (a record object read
/// straight from a JSON file's bytes, the common case).
protocol RecordFields {
    /// The member named `key`, as a JSON value.
    subscript(key: String) -> JSONValue? { get }
    /// The member named `key` when it is non-empty text (strings as they are, numbers as their
    /// lexeme, booleans as `true`/`false`), as the record holds it: no string is made of a plain
    /// string value of a record read flat.
    func field(_ key: String) -> FieldText?
    /// The member named `key` as the record holds it: a plain string's bytes, or the value.
    func raw(_ key: String) -> RawField?
    /// Whether the record has a member named `key`, whatever its value.
    func has(_ key: String) -> Bool
    /// Whether the record has a member named exactly `key` (case-sensitive).
    func hasExactly(_ key: String) -> Bool
    /// The member keys, in input order.
    var keys: [String] { get }
    /// What the record is when it is not a JSON object (`an array`, `a string`, …); nil for an object.
    var nonObjectKind: String? { get }
}

extension RecordFields {
    /// ``field(_:)`` as a string.
    func text(_ key: String) -> String? { field(key)?.string }

    /// The first of the keys that holds a non-empty text value.
    func text(_ first: String, _ second: String) -> String? { text(first) ?? text(second) }

    func text(_ first: String, _ second: String, _ third: String) -> String? {
        text(first) ?? text(second) ?? text(third)
    }

    /// The first of the keys that holds a non-empty text value, as the record holds it.
    func field(_ first: String, _ second: String) -> FieldText? { field(first) ?? field(second) }

    func field(_ first: String, _ second: String, _ third: String) -> FieldText? {
        field(first) ?? field(second) ?? field(third)
    }

    /// The value of `key` as structured data (an object/array, or JSON text of one).
    func nested(_ key: String) -> JSONValue? { self[key]?.structured }

    /// The first of the keys that holds structured data.
    func nested(_ first: String, _ second: String, _ third: String) -> JSONValue? {
        self[first]?.structured ?? self[second]?.structured ?? self[third]?.structured
    }
}

extension JSONValue: RecordFields {
    func field(_ key: String) -> FieldText? { self[key]?.text.map(FieldText.text) }

    func raw(_ key: String) -> RawField? { self[key].map(RawField.value) }

    var nonObjectKind: String? {
        if case .object = self { return nil }
        return kindName(self)
    }
}

/// A record object read from a JSON file's bytes without building a tree: for each member the
/// mappers may read (``ReadFields``; the others were stepped over), its key, the key's hash and
/// its value. A plain string value (no escape: nearly all of them) stays a byte range of the file
/// until a mapper asks for it, and then becomes a string; other values were parsed as they are.
///
/// It points into the file's mapped bytes: the reader hands it to the interpreter within its
/// callback, and it is never kept beyond that.
struct FlatRecord: RecordFields {
    /// One member: offsets and lengths only (the parsed values are in ``FlatRecord/values``), so
    /// reading, copying and clearing members costs no reference counting.
    struct Member {
        /// ``ReadFields/hash(_:)`` of the key: ASCII case folded, so equal for keys that differ
        /// only in case.
        var keyHash: UInt64
        /// Where the key's bytes start (after its opening quote), or `-1 - i` for the i-th of
        /// ``FlatRecord/decodedKeys`` (a key with an escape, or longer than the string limit).
        var keyStart: Int
        var keyLength: Int
        /// Where a plain string value's bytes start (after the opening quote), or `-1 - i` for
        /// the i-th of ``FlatRecord/values`` (any other value, parsed).
        var textStart: Int
        /// How many of those bytes are kept (at most the string limit).
        var textLength: Int
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let members: [Member]
    let decodedKeys: [String]
    let values: [JSONValue]

    /// The index of the last member named `key`: hashes compared first, then the key itself.
    @inline(__always)
    private func index(of key: String) -> Int? {
        key.withUTF8Bytes { wanted -> Int? in
            let hash = ReadFields.hash(wanted)
            return members.withUnsafeBufferPointer { members -> Int? in
                var index = members.count - 1
                while index >= 0 {
                    if members[index].keyHash == hash {
                        let start = members[index].keyStart
                        if start >= 0 {
                            let length = members[index].keyLength
                            if length == wanted.count && asciiCaseInsensitiveEqual(UnsafeBufferPointer(rebasing: bytes[start..<(start + length)]), wanted) { return index }
                        } else if asciiCaseInsensitiveEqual(decodedKeys[-1 - start], key) {
                            return index
                        }
                    }
                    index -= 1
                }
                return nil
            }
        }
    }

    private func key(at index: Int) -> String {
        let start = members[index].keyStart
        if start < 0 { return decodedKeys[-1 - start] }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(start + members[index].keyLength)]), as: UTF8.self)
    }

    @inline(__always)
    private func string(at index: Int) -> String {
        let start = members[index].textStart
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(start + members[index].textLength)]), as: UTF8.self)
    }

    subscript(key: String) -> JSONValue? {
        guard let index = index(of: key) else { return nil }
        let start = members[index].textStart
        return start >= 0 ? .string(string(at: index)) : values[-1 - start]
    }

    func field(_ key: String) -> FieldText? {
        guard let index = index(of: key) else { return nil }
        let start = members[index].textStart
        guard start >= 0 else { return values[-1 - start].text.map(FieldText.text) }
        let length = members[index].textLength
        return length > 0 ? .bytes(UnsafeBufferPointer(rebasing: bytes[start..<(start + length)])) : nil
    }

    func raw(_ key: String) -> RawField? {
        guard let index = index(of: key) else { return nil }
        let start = members[index].textStart
        guard start >= 0 else { return .value(values[-1 - start]) }
        return .bytes(UnsafeBufferPointer(rebasing: bytes[start..<(start + members[index].textLength)]))
    }

    func has(_ key: String) -> Bool { index(of: key) != nil }

    func hasExactly(_ key: String) -> Bool { members.indices.contains { self.key(at: $0) == key } }

    var keys: [String] { members.indices.map(key(at:)) }

    var nonObjectKind: String? { nil }
}

/// A member's value as the record holds it: the bytes of a plain string of a record read flat
/// (a timestamp read straight from them), or the value.
enum RawField {
    case bytes(UnsafeBufferPointer<UInt8>)
    case value(JSONValue)
}

/// One record as the JSON reader parsed it: a record object read flat, or any other value
/// (which the interpreter rejects, saying what it is).
enum ParsedRecord {
    case fields(FlatRecord)
    case value(JSONValue)

    /// Whether the record has a member named `key` (never, when it is not an object).
    func has(_ key: String) -> Bool {
        switch self {
        case .fields(let record): return record.has(key)
        case .value(let value): return value.has(key)
        }
    }
}

/// A record read flat and the same bytes parsed as a ``JSONValue`` tree (same key filter and
/// limits) must read alike: the same event draft or the same rejection, the same strings cut and
/// the same repeated keys. The tests and the fuzz harness check it on every record they read.
enum FlatRecordCheck {
    /// The two readings of `raw` as text, equal when they agree; nil when `raw` was not read flat.
    static func readings(of raw: RawJSONRecord, in bytes: UnsafeBufferPointer<UInt8>, limits: ReadLimits) -> (flat: String, tree: String)? {
        guard case .success(.fields(let record)) = raw.value else { return nil }
        let origin = RecordOrigin.json(raw.container)
        let provenance = Provenance(fileIndex: 0, line: 0, record: 0)
        func described<Record: RecordFields>(_ record: Record, truncated: Int, repeated: [String]) -> String {
            let result = Result { () throws(RecordRejection) in
                try RecordInterpreter.interpret(record, origin: origin, provenance: provenance, duplicateKeys: repeated)
            }
            let reading: String
            switch result {
            case .success(let draft): reading = "\(draft)"
            case .failure(let rejection): reading = "rejected: \(rejection.reason)"
            }
            return "\(reading); cut \(truncated); repeated \(repeated)"
        }
        var parser = JSONParser(bytes: bytes, position: raw.bytes.lowerBound, maxDepth: limits.maxDepth, maxStringBytes: limits.maxStringBytes)
        parser.keyFilter = limits.skipUnusedFields ? ReadFields.hashes : nil
        parser.recordDepth = raw.container == .sequence ? 1 : 2
        let tree: String
        do {
            let value = try parser.parseValue(depth: parser.recordDepth - 1)
            tree = parser.position == raw.bytes.upperBound
                ? described(value, truncated: parser.truncatedStrings, repeated: parser.duplicateKeys)
                : "the tree ends at \(parser.position), the flat record at \(raw.bytes.upperBound)"
        } catch {
            tree = "the tree does not parse: \(error.message)"
        }
        return (described(record, truncated: raw.truncatedStrings, repeated: raw.duplicateKeys), tree)
    }
}
