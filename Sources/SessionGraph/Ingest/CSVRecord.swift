/// A CSV row as a record: its cells by column name, as their bytes (a string is made only of a
/// cell a mapper reads as a string), and a cell holding a JSON object (Purview's `AuditData`,
/// Defender's `RawEventData`, a sign-in's `DeviceDetail`) parsed from its bytes as the JSON
/// reader parses a record (the string limit counts bytes, as in a JSON file), stepping over the
/// members no mapper reads (``ReadFields``) instead of building them. Parsing those cells whole was 40 % of reading a
/// Purview or Defender CSV export. As in a JSON file, a member no mapper reads is checked only
/// as ``JSONParser/skipValue(depth:)`` checks it: a cell malformed only there is read.
struct CSVRecord: RecordFields {
    /// The row's cells, valid while the record is read (``CSVRow``).
    let cells: [UnsafeBufferPointer<UInt8>]
    /// The file's columns: which cell a key reads.
    let columns: CSVColumns
    /// The file's parser of JSON cells; nil to parse them whole (``ReadLimits/skipUnusedFields``
    /// off).
    let cellParser: JSONCellParser?
    /// The row's record column as the reader read it flat before the record is interpreted
    /// (``withRecordColumnRead(parser:_:)``): its key, and the record it holds (nil: not one JSON
    /// object).
    private(set) var readCell: (key: FieldKey, record: NestedRecord?)? = nil

    init(cells: [UnsafeBufferPointer<UInt8>], columns: CSVColumns, cellParser: JSONCellParser?) {
        self.cells = cells
        self.columns = columns
        self.cellParser = cellParser
    }

    /// Calls `body` with this record, its record column (``CSVColumns/recordColumn``) read flat
    /// first by `parser` when it is JSON object text, so that the mappers read it as they read a
    /// JSON file's record. Valid only during the call, as the flat record borrows `parser`'s
    /// storage: `parser` must not be the record's ``cellParser``, which reads the row's other
    /// JSON cells during the call. Read as the others are when parsing whole (no ``cellParser``).
    func withRecordColumnRead<R>(parser: JSONCellParser, _ body: (CSVRecord) -> R) -> R {
        precondition(parser !== cellParser, "the record column's parser is the row's other cells' parser")
        guard let key = columns.recordColumn, cellParser != nil, let cell = cell(key), let first = Self.objectStart(cell) else { return body(self) }
        return parser.withObject(in: cell, at: first) { record in
            var read = self
            read.readCell = (key, record)
            return body(read)
        }
    }

    /// Where `cell`'s text starts when that is `{` (JSON object text).
    private static func objectStart(_ cell: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let first = cell.firstIndex(where: { !isJSONWhitespace($0) }), cell[first] == UInt8(ascii: "{") else { return nil }
        return first
    }

    /// The cell of member `member` in this row; nil when the row is too short to hold it.
    /// When the header repeats a name, the first non-empty cell of the name's columns.
    private func cell(ofMember member: Int) -> UnsafeBufferPointer<UInt8>? {
        let at = columns.columnsOfMember[member]
        guard at[0] < cells.count else { return nil }
        guard at.count > 1 else { return cells[at[0]] }
        return at.lazy.filter { $0 < cells.count && !cells[$0].isEmpty }.first.map { cells[$0] } ?? cells[at[0]]
    }

    /// The cell of the last member named `key` that this row holds.
    private func cell(_ key: FieldKey) -> UnsafeBufferPointer<UInt8>? {
        for member in columns.membersByKey[key.rawValue].reversed() {
            if let cell = cell(ofMember: member) { return cell }
        }
        return nil
    }

    subscript(key: FieldKey) -> JSONValue? { cell(key).map { .string(String(decoding: $0, as: UTF8.self)) } }

    func field(_ key: FieldKey) -> FieldText? {
        guard let cell = cell(key), !cell.isEmpty else { return nil }
        return .bytes(cell)
    }

    func raw(_ key: FieldKey) -> RawField? { cell(key).map(RawField.bytes) }

    func has(_ key: FieldKey) -> Bool { cell(key) != nil }

    func hasExactly(_ key: String) -> Bool {
        columns.names.indices.contains { columns.names[$0] == key && cell(ofMember: $0) != nil }
    }

    var keys: [String] { columns.names.indices.filter { cell(ofMember: $0) != nil }.map { columns.names[$0] } }

    var nonObjectKind: String? { nil }

    /// A cell of JSON object text, read by ``JSONCellParser``; any other text as
    /// ``JSONValue/structured`` reads a string.
    func structured(_ key: FieldKey) -> StructuredField? {
        if let readCell, readCell.key == key { return readCell.record.map(StructuredField.object) }
        guard let cell = cell(key) else { return nil }
        if let cellParser, let first = Self.objectStart(cell) {
            return cellParser.object(in: cell, at: first).map { .object(.value($0)) }
        }
        return StructuredField(.string(String(decoding: cell, as: UTF8.self)))
    }
}

/// A CSV file's columns as a record's members: each non-empty header name a member, the names
/// the header repeats (case-insensitively) one member, as first spelt; and, for each
/// ``FieldKey``, the members it names (ASCII case-insensitively), so a lookup is a step or two.
final class CSVColumns: Sendable {
    /// Each member's name, in the order of its first column.
    let names: [String]
    /// Each member's columns, in header order (more than one where the header repeats a name).
    let columnsOfMember: [[Int]]
    /// For each ``FieldKey`` (by raw value), the members of that name, in order.
    let membersByKey: [[Int]]
    /// The column whose JSON text holds the record the mappers read (Purview's `AuditData`,
    /// else Defender's `RawEventData`), read flat (``CSVRecord/withRecordColumnRead(parser:_:)``).
    let recordColumn: FieldKey?

    /// `header`, the file's normalised header; `repeats`, whether it repeats a name (when it
    /// does not, no two columns are one member).
    init(header: [String], repeats: Bool) {
        var names: [String] = [], columns: [[Int]] = []
        var memberOfName: [String: Int] = [:]
        for (column, name) in header.enumerated() where !name.isEmpty {
            if repeats {
                let folded = name.lowercased()
                if let member = memberOfName[folded] {
                    columns[member].append(column)
                    continue
                }
                memberOfName[folded] = names.count
            }
            names.append(name)
            columns.append([column])
        }
        self.names = names
        columnsOfMember = columns
        membersByKey = FieldKey.allCases.map { key in
            key.withBytes { wanted in
                names.indices.filter { member in
                    names[member].utf8.count == wanted.count && names[member].withUTF8Bytes { asciiCaseInsensitiveEqual($0, wanted) }
                }
            }
        }
        let byKey = membersByKey
        recordColumn = [FieldKey.auditData, .rawEventData].first { !byKey[$0.rawValue].isEmpty }
    }
}

/// One parser for the JSON cells of a CSV file, or of a part of one (each is read on one
/// thread), so the keys it makes are made once a file or part: a parser made for each cell
/// allocated and destroyed its key cache each time (15 % of reading a Purview export). The
/// record column (`AuditData`, `RawEventData`) is read flat by a second one, so that the tree
/// of another cell never restarts the parser whose storage the flat record borrows.
///
/// A cell is read as a record: its members, and theirs, that no mapper reads are stepped over;
/// the limits on depth and string length are those ``JSONValue/structured`` applies.
final class JSONCellParser {
    private var parser = JSONParser(bytes: UnsafeBufferPointer(start: nil, count: 0))

    init() {
        parser.skipsUnreadMembers = true
        parser.recordDepth = 1
    }

    /// The object at `position` of `bytes` when it is followed only by whitespace; nil when
    /// the text is not one JSON object (members no mapper reads checked as skipped values are).
    func object(in bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> JSONValue? {
        parser.restart(over: bytes, at: position)
        guard let value = try? parser.parseValue(depth: 0) else { return nil }
        parser.skipWhitespace()
        return parser.atEnd ? value : nil
    }

    /// Calls `body` with the object at `position` of `bytes` read flat, as a JSON file's record
    /// is (``FlatRecord``; what ``object(in:at:)`` gives as a tree, read alike: the record and
    /// the tree of the same bytes read alike, ``FlatRecordCheck``), or with nil when the text is
    /// not one JSON object followed only by whitespace. The record borrows the parser's storage
    /// and `bytes`: valid only during the call.
    func withObject<R>(in bytes: UnsafeBufferPointer<UInt8>, at position: Int, _ body: (NestedRecord?) -> R) -> R {
        parser.restart(over: bytes, at: position)
        // nil when the object was read flat (`try?` would fold that into a failure).
        let parsed: JSONValue?
        do { parsed = try parser.parseRecord(depth: 0) } catch { return body(nil) }
        parser.skipWhitespace()
        guard parser.atEnd else { return body(nil) }
        return parser.withRecord(parsed) { record in
            switch record {
            case .fields(let flat): return body(.flat(flat))
            case .value(let value):
                guard case .object = value else { return body(nil) }
                return body(.value(value))
            }
        }
    }
}
