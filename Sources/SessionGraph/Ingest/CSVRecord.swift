/// A CSV row as a record: its cells by column name (``JSONValue`` strings), and a cell holding a
/// JSON object (Purview's `AuditData`, Defender's `RawEventData`, a sign-in's `DeviceDetail`)
/// parsed as the JSON reader parses a record, stepping over the members no mapper reads
/// (``ReadFields``) instead of building them. Parsing those cells whole was 40 % of reading a
/// Purview or Defender CSV export. As in a JSON file, a member no mapper reads is checked only
/// as ``JSONParser/skipValue(depth:)`` checks it: a cell malformed only there is read.
struct CSVRecord: RecordFields {
    /// The row: an object of the cells, by header name.
    let row: JSONValue
    /// The file's parser of JSON cells; nil to parse them whole (``ReadLimits/skipUnusedFields``
    /// off).
    let cellParser: JSONCellParser?

    init(row: JSONValue, cellParser: JSONCellParser?) {
        self.row = row
        self.cellParser = cellParser
    }

    /// A row's `cells` under the file's normalised `header` (a cell under an empty name is
    /// dropped). When `headerRepeats` (a name twice, case-insensitively), the first non-empty
    /// cell of a name is kept.
    init(cells: [String], header: [String], headerRepeats: Bool, cellParser: JSONCellParser?) {
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(cells.count)
        var seen: [String: Int] = [:]
        for (name, cell) in zip(header, cells) where !name.isEmpty {
            if headerRepeats {
                let folded = name.lowercased()
                if let index = seen[folded] {
                    if !cell.isEmpty, members[index].value.text == nil { members[index].value = .string(cell) }
                    continue
                }
                seen[folded] = members.count
            }
            members.append((name, .string(cell)))
        }
        self.init(row: .object(members), cellParser: cellParser)
    }

    subscript(key: FieldKey) -> JSONValue? { row[key] }

    func field(_ key: FieldKey) -> FieldText? { row.field(key) }

    func raw(_ key: FieldKey) -> RawField? { row.raw(key) }

    func has(_ key: FieldKey) -> Bool { row.has(key) }

    func hasExactly(_ key: String) -> Bool { row.hasExactly(key) }

    var keys: [String] { row.keys }

    var nonObjectKind: String? { row.nonObjectKind }

    /// A cell of JSON object text, read by ``JSONCellParser``; anything else as
    /// ``JSONValue/structured`` reads it.
    func structured(_ key: FieldKey) -> StructuredField? {
        guard let cellParser, case .string(var text)? = row[key] else { return row.structured(key) }
        let object = text.withUTF8 { bytes -> JSONValue?? in
            guard let first = bytes.firstIndex(where: { !isJSONWhitespace($0) }), bytes[first] == UInt8(ascii: "{") else { return .none }
            return .some(cellParser.object(in: bytes, at: first))
        }
        switch object {
        case .none: return row.structured(key)
        case .some(let value?): return .object(.value(value))
        case .some(nil): return nil
        }
    }
}

/// One parser for all the JSON cells of a CSV file, or of a part of one (each is read on one
/// thread), so the keys it makes are made once a file or part: a parser made for each cell
/// allocated and destroyed its key cache each time (15 % of reading a Purview export).
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
}
