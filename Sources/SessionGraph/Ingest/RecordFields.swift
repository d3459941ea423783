/// What the record mappers read of a record object: its members by key, compared ASCII
/// case-insensitively, the last of a repeated key winning (the common behaviour of JSON readers,
/// and what Log Analytics keeps).
///
/// Three kinds of record provide it: a parsed ``JSONValue`` (an object inside a CSV cell other
/// than the row's record column, a record read again in full), a ``FlatRecord`` (a record object
/// read straight from a JSON file's bytes, the common case, and the objects inside it down to two
/// levels; also a CSV row's record column, `AuditData` or `RawEventData`), and a ``CSVRecord`` (a
/// CSV row, whose cells of JSON object text are parsed as records are). A
/// mapper reads an object inside a record as a ``NestedRecord``, a flat one or a parsed one.
protocol RecordFields {
    /// The member named `key`, as a JSON value.
    subscript(key: FieldKey) -> JSONValue? { get }
    /// The member named `key` when it is non-empty text (strings as they are, numbers as their
    /// lexeme, booleans as `true`/`false`), as the record holds it: no string is made of a plain
    /// string value of a record read flat.
    func field(_ key: FieldKey) -> FieldText?
    /// The member named `key` as the record holds it: a plain string's bytes, or the value.
    func raw(_ key: FieldKey) -> RawField?
    /// The member named `key` as structured data (an object or array, or JSON text of one);
    /// nil when it is absent or anything else.
    func structured(_ key: FieldKey) -> StructuredField?
    /// Whether the record has a member named `key`, whatever its value.
    func has(_ key: FieldKey) -> Bool
    /// Whether the record has a member named exactly `key` (case-sensitive).
    func hasExactly(_ key: String) -> Bool
    /// The member keys, in input order.
    var keys: [String] { get }
    /// What the record is when it is not a JSON object (`an array`, `a string`, …); nil for an object.
    var nonObjectKind: String? { get }
}

extension RecordFields {
    /// ``field(_:)`` as a string.
    func text(_ key: FieldKey) -> String? { field(key)?.string }

    /// The first of the keys that holds a non-empty text value.
    func text(_ first: FieldKey, _ second: FieldKey) -> String? { text(first) ?? text(second) }

    func text(_ first: FieldKey, _ second: FieldKey, _ third: FieldKey) -> String? {
        text(first) ?? text(second) ?? text(third)
    }

    /// The first of the keys that holds a non-empty text value, as the record holds it.
    func field(_ first: FieldKey, _ second: FieldKey) -> FieldText? { field(first) ?? field(second) }

    func field(_ first: FieldKey, _ second: FieldKey, _ third: FieldKey) -> FieldText? {
        field(first) ?? field(second) ?? field(third)
    }

    /// The object named `key` (or JSON text of one), as a record of its own.
    func object(_ key: FieldKey) -> NestedRecord? { structured(key)?.record }

    /// The first of the keys that holds structured data (an object or an array).
    func structured(_ first: FieldKey, _ second: FieldKey, _ third: FieldKey) -> StructuredField? {
        structured(first) ?? structured(second) ?? structured(third)
    }

    /// The first of the keys that holds structured data, when that is an object.
    func object(_ first: FieldKey, _ second: FieldKey, _ third: FieldKey) -> NestedRecord? {
        structured(first, second, third)?.record
    }

    /// The elements of the array named `key` (or JSON text of one); empty for anything else.
    func elements(_ key: FieldKey) -> RecordElements {
        if case .array(let items)? = structured(key) { return items }
        return RecordElements([])
    }
}

extension JSONValue: RecordFields {
    subscript(key: FieldKey) -> JSONValue? { key.withBytes { member(named: $0) } }

    func field(_ key: FieldKey) -> FieldText? { self[key]?.text.map(FieldText.text) }

    func raw(_ key: FieldKey) -> RawField? { self[key].map(RawField.value) }

    func structured(_ key: FieldKey) -> StructuredField? { self[key].flatMap(StructuredField.init) }

    func has(_ key: FieldKey) -> Bool { self[key] != nil }

    var nonObjectKind: String? {
        if case .object = self { return nil }
        return kindName(self)
    }
}

/// A record object read from a JSON file's bytes without building a tree: for each member the
/// mappers may read (``ReadFields``; the others were stepped over), its key, the key's hash and
/// its value. A plain string value (no escape: nearly all of them) stays a byte range of the file
/// until a mapper asks for it, and then becomes a string; an object just below the record (two
/// levels down, ``JSONParser/flatLevels``) is read flat the same way, as a block of members of
/// its own, and so is an array, as a block of keyless members (its elements); other values were
/// parsed as they are.
///
/// It points into the file's mapped bytes (or a CSV row's cell) and borrows the parser's storage
/// (``JSONParser/withRecord(_:_:)``): the reader hands it to the interpreter within its callback,
/// and it is never kept beyond that (the next record overwrites the storage).
struct FlatRecord: RecordFields {
    /// One member: offsets and lengths only (the parsed values are in ``FlatRecord/values``), so
    /// reading, copying and clearing members costs no reference counting.
    struct Member {
        /// Where the key's bytes start (after its opening quote), or `-1 - i` for the i-th of
        /// ``FlatRecord/decodedKeys`` (a key with an escape, or longer than the string limit).
        var keyStart: Int
        var keyLength: Int
        /// Where a plain string value's bytes start (after the opening quote), or `-1 - i` for
        /// the i-th of ``FlatRecord/values`` (any other value, parsed); for a block read flat,
        /// ``arrayMark`` when it is an array's, 0 for an object's.
        var textStart: Int
        /// How many of those bytes are kept (at most the string limit); for an object or array
        /// read flat, how many members (elements) it has.
        var textLength: Int
        /// For an object or array read flat, where its block of members starts; -1 otherwise.
        var objectStart = -1

        /// ``textStart`` of an array read flat.
        static let arrayMark = 1

        /// Whether the value is an array read flat (its block holds its elements).
        var isFlatArray: Bool { objectStart >= 0 && textStart == Self.arrayMark }
    }

    let bytes: UnsafeBufferPointer<UInt8>
    /// The members of the record and of the objects inside it read flat, one block each.
    let members: UnsafeBufferPointer<Member>
    /// ``ReadFields/hash(_:)`` of each member's key, at the member's index (ASCII case folded,
    /// so equal for keys that differ only in case): side by side, so a scan reads 8 bytes a
    /// member.
    let keyHashes: UnsafeBufferPointer<UInt64>
    /// This object's block of ``members``.
    let range: Range<Int>
    let decodedKeys: UnsafeBufferPointer<String>
    let values: UnsafeBufferPointer<JSONValue>
    /// For each ``FieldKey`` (by raw value), where the record's own block holds its last member
    /// of that key (place in the block plus one; 0: none), so a mapper's forty-odd lookups each
    /// take one step (``JSONParser/recordSlots``); empty for an object inside the record (a
    /// handful of members, scanned) and for a record of more members than a slot can place.
    let slots: UnsafeBufferPointer<Int32>

    /// A record over the parser's storage, which it borrows (``JSONParser/withRecord(_:_:)``):
    /// pointers, not arrays, so that handing the record and the objects inside it from mapper
    /// to mapper copies a few words and counts no references (five arrays were five retains and
    /// five releases on every copy of a nested object).
    init(bytes: UnsafeBufferPointer<UInt8>, members: UnsafeBufferPointer<Member>, keyHashes: UnsafeBufferPointer<UInt64>, range: Range<Int>,
         decodedKeys: UnsafeBufferPointer<String>, values: UnsafeBufferPointer<JSONValue>, slots: UnsafeBufferPointer<Int32>) {
        self.bytes = bytes
        self.members = members
        self.keyHashes = keyHashes
        self.range = range
        self.decodedKeys = decodedKeys
        self.values = values
        self.slots = slots
    }

    /// The index of the last member named `key`: by its slot when the block has slots, else by
    /// a scan from the end, hashes compared first, then the key itself.
    @inline(__always)
    private func index(of key: FieldKey) -> Int? {
        if !slots.isEmpty {
            let entry = Int(slots[key.rawValue])
            return entry == 0 ? nil : range.lowerBound + entry - 1
        }
        return key.withBytes { wanted -> Int? in
            let hash = ReadFields.hash(wanted)
            var index = range.upperBound - 1
            while index >= range.lowerBound {
                if keyHashes[index] == hash && keyIs(wanted, at: index) { return index }
                index -= 1
            }
            return nil
        }
    }

    /// Whether the key of member `index` is `wanted`, ASCII case-insensitively.
    @inline(__always)
    private func keyIs(_ wanted: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let start = members[index].keyStart
        if start < 0 { return decodedKeys[-1 - start].withUTF8Bytes { asciiCaseInsensitiveEqual($0, wanted) } }
        let length = members[index].keyLength
        return length == wanted.count && asciiCaseInsensitiveEqual(UnsafeBufferPointer(rebasing: bytes[start..<(start + length)]), wanted)
    }

    private func key(at index: Int) -> String {
        let start = members[index].keyStart
        if start < 0 { return decodedKeys[-1 - start] }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(start + members[index].keyLength)]), as: UTF8.self)
    }

    /// The object read flat at member `index`, as a record of its own.
    fileprivate func object(at index: Int) -> FlatRecord {
        let start = members[index].objectStart
        return over(start..<(start + members[index].textLength))
    }

    /// The block `range` of the same storage (an object's members, or an array's elements).
    fileprivate func over(_ range: Range<Int>) -> FlatRecord {
        FlatRecord(bytes: bytes, members: members, keyHashes: keyHashes, range: range, decodedKeys: decodedKeys, values: values, slots: UnsafeBufferPointer(start: nil, count: 0))
    }

    /// The value at member `index` as a tree (an object or array read flat is built as one).
    fileprivate func value(at index: Int) -> JSONValue {
        let member = members[index]
        if member.isFlatArray { return .array((member.objectStart..<(member.objectStart + member.textLength)).map(value(at:))) }
        if member.objectStart >= 0 { return object(at: index).tree }
        if member.textStart < 0 { return values[-1 - member.textStart] }
        return .string(String(decoding: UnsafeBufferPointer(rebasing: bytes[member.textStart..<(member.textStart + member.textLength)]), as: UTF8.self))
    }

    /// The object as the parser would have built it.
    var tree: JSONValue { .object(range.map { (key(at: $0), value(at: $0)) }) }

    /// (A plain `guard`, not `index(of:).map(value(at:))`: the method as a function value
    /// captured the record, and made that one allocation for every lookup.)
    subscript(key: FieldKey) -> JSONValue? {
        guard let index = index(of: key) else { return nil }
        return value(at: index)
    }

    func field(_ key: FieldKey) -> FieldText? {
        guard let index = index(of: key) else { return nil }
        let member = members[index]
        if member.objectStart >= 0 { return nil }
        guard member.textStart >= 0 else { return values[-1 - member.textStart].text.map(FieldText.text) }
        return member.textLength > 0 ? .bytes(UnsafeBufferPointer(rebasing: bytes[member.textStart..<(member.textStart + member.textLength)])) : nil
    }

    func raw(_ key: FieldKey) -> RawField? {
        guard let index = index(of: key) else { return nil }
        let member = members[index]
        guard member.objectStart < 0, member.textStart >= 0 else { return .value(value(at: index)) }
        return .bytes(UnsafeBufferPointer(rebasing: bytes[member.textStart..<(member.textStart + member.textLength)]))
    }

    func structured(_ key: FieldKey) -> StructuredField? {
        guard let index = index(of: key) else { return nil }
        let member = members[index]
        if member.isFlatArray { return .array(RecordElements(self, block: member.objectStart..<(member.objectStart + member.textLength))) }
        if member.objectStart >= 0 { return .object(.flat(object(at: index))) }
        return StructuredField(value(at: index))
    }

    func has(_ key: FieldKey) -> Bool { index(of: key) != nil }

    func hasExactly(_ key: String) -> Bool { range.contains { self.key(at: $0) == key } }

    var keys: [String] { range.map(key(at:)) }

    var nonObjectKind: String? { nil }
}

/// An object a mapper reads as a record of its own (a sign-in's `DeviceDetail`, a row's
/// `RawEventData`, a diagnostic record's `properties`): read flat from the file's bytes, or a
/// parsed object (a CSV cell's JSON text, an object deeper than the parser reads flat).
enum NestedRecord: RecordFields {
    case flat(FlatRecord)
    case value(JSONValue)

    @inline(__always)
    subscript(key: FieldKey) -> JSONValue? {
        switch self {
        case .flat(let record): return record[key]
        case .value(let value): return value[key]
        }
    }

    @inline(__always)
    func field(_ key: FieldKey) -> FieldText? {
        switch self {
        case .flat(let record): return record.field(key)
        case .value(let value): return value.field(key)
        }
    }

    @inline(__always)
    func raw(_ key: FieldKey) -> RawField? {
        switch self {
        case .flat(let record): return record.raw(key)
        case .value(let value): return value.raw(key)
        }
    }

    @inline(__always)
    func structured(_ key: FieldKey) -> StructuredField? {
        switch self {
        case .flat(let record): return record.structured(key)
        case .value(let value): return value.structured(key)
        }
    }

    @inline(__always)
    func has(_ key: FieldKey) -> Bool {
        switch self {
        case .flat(let record): return record.has(key)
        case .value(let value): return value.has(key)
        }
    }

    func hasExactly(_ key: String) -> Bool {
        switch self {
        case .flat(let record): return record.hasExactly(key)
        case .value(let value): return value.hasExactly(key)
        }
    }

    var keys: [String] {
        switch self {
        case .flat(let record): return record.keys
        case .value(let value): return value.keys
        }
    }

    var nonObjectKind: String? { nil }
}

/// A member's value as structured data (``JSONValue/structured``): an object, as a record of
/// its own, or an array.
enum StructuredField {
    case object(NestedRecord)
    case array(RecordElements)

    /// The object, as a record of its own; nil for an array.
    var record: NestedRecord? {
        if case .object(let record) = self { return record }
        return nil
    }

    /// `value` as structured data: an object or array, or JSON text of one; nil otherwise.
    init?(_ value: JSONValue) {
        guard let structured = value.structured else { return nil }
        if case .array(let items) = structured { self = .array(RecordElements(items)) } else { self = .object(.value(structured)) }
    }
}

/// The elements of an array a mapper reads (a sign-in's `NetworkLocationDetails`, an audit
/// record's `Folders` or `Parameters`), each as a record of its own (an element that is not an
/// object reads as a record with no members): read flat from the file's bytes, or parsed.
struct RecordElements: RandomAccessCollection {
    private enum Source {
        /// A block of keyless members read flat: a ``FlatRecord`` over the storage whose range
        /// is the block (no larger than a record, so that a ``StructuredField`` is not either:
        /// mappers pass those by value).
        case flat(FlatRecord)
        case values([JSONValue])
    }

    private let source: Source

    init(_ values: [JSONValue]) { source = .values(values) }

    /// The elements in `block` of `record`'s storage.
    fileprivate init(_ record: FlatRecord, block: Range<Int>) { source = .flat(record.over(block)) }

    var startIndex: Int { 0 }

    var endIndex: Int {
        switch source {
        case .flat(let elements): return elements.range.count
        case .values(let values): return values.count
        }
    }

    subscript(position: Int) -> NestedRecord {
        switch source {
        case .flat(let record):
            precondition(position >= 0 && position < record.range.count, "element index out of range")
            let index = record.range.lowerBound + position
            let member = record.members[index]
            if member.objectStart >= 0 && !member.isFlatArray { return .flat(record.object(at: index)) }
            return .value(record.value(at: index))
        case .values(let values):
            return .value(values[position])
        }
    }

    /// The `Value` of the `{Name, Value}` element named `name` in a name/value list
    /// (UAL `DeviceProperties`, `ExtendedProperties`, `Parameters`).
    func namedValue(_ name: String) -> String? {
        for item in self {
            if let itemName = item.text(.name), asciiCaseInsensitiveEqual(itemName, name) {
                return item[.value]?.text
            }
        }
        return nil
    }
}

/// A member's value as the record holds it: the bytes of a plain string of a record read flat,
/// or of a CSV cell (a timestamp read straight from them), or the value.
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
    func has(_ key: FieldKey) -> Bool {
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
        var parser = treeParser(bytes, from: raw.bytes.lowerBound, container: raw.container, limits: limits)
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

    /// A fresh parser at `start`, with the reader's key filter and limits, to read a record as
    /// a tree.
    private static func treeParser(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, container: JSONContainer, limits: ReadLimits) -> JSONParser {
        var parser = JSONParser(bytes: bytes, position: start, maxDepth: limits.maxDepth, maxStringBytes: limits.maxStringBytes)
        parser.skipsUnreadMembers = limits.skipUnusedFields
        parser.recordDepth = container == .sequence ? 1 : 2
        return parser
    }

    /// The reader's failure on `raw` and the tree's on the same bytes, as text, equal when they
    /// agree; nil when `raw` was read, or refused before it was parsed. The reader keeps state
    /// from record to record (the key script), so a failure only it has would show here.
    static func failures(of raw: RawJSONRecord, in bytes: UnsafeBufferPointer<UInt8>, limits: ReadLimits) -> (flat: String, tree: String)? {
        guard case .failure(let error) = raw.value, let start = raw.failedFrom else { return nil }
        var parser = treeParser(bytes, from: start, container: raw.container, limits: limits)
        let tree: String
        do {
            _ = try parser.parseValue(depth: parser.recordDepth - 1)
            tree = "the tree reads it"
        } catch {
            tree = "at \(error.offset): \(error.message)"
        }
        return ("at \(error.offset): \(error.message)", tree)
    }
}
