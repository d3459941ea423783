/// A CSV row as a record: its cells by column name (``JSONValue`` strings), and a cell holding a
/// JSON object (Purview's `AuditData`, Defender's `RawEventData`, a sign-in's `DeviceDetail`)
/// parsed as the JSON reader parses a record, stepping over the members no mapper reads
/// (``ReadFields``) instead of building them. Parsing those cells whole was 40 % of reading a
/// Purview or Defender CSV export.
struct CSVRecord: RecordFields {
    /// The row: an object of the cells, by header name.
    let row: JSONValue
    /// ``ReadLimits/skipUnusedFields``: whether a JSON cell's unread members are stepped over.
    let skipsUnreadMembers: Bool

    subscript(key: FieldKey) -> JSONValue? { row[key] }

    func field(_ key: FieldKey) -> FieldText? { row.field(key) }

    func raw(_ key: FieldKey) -> RawField? { row.raw(key) }

    func has(_ key: FieldKey) -> Bool { row.has(key) }

    func hasExactly(_ key: String) -> Bool { row.hasExactly(key) }

    var keys: [String] { row.keys }

    var nonObjectKind: String? { row.nonObjectKind }

    /// A cell of JSON object text, parsed with the reader's limits on depth and string length
    /// that ``JSONValue/structured`` applies, and as a record: its members and theirs that no
    /// mapper reads are stepped over. Anything else is read as ``JSONValue/structured`` reads it.
    func structured(_ key: FieldKey) -> StructuredField? {
        guard skipsUnreadMembers, case .string(var text)? = row[key] else { return row.structured(key) }
        let object = text.withUTF8 { bytes -> JSONValue?? in
            guard let first = bytes.firstIndex(where: { !isJSONWhitespace($0) }), bytes[first] == UInt8(ascii: "{") else { return .none }
            var parser = JSONParser(bytes: bytes, position: first)
            parser.skipsUnreadMembers = true
            parser.recordDepth = 1
            guard let value = try? parser.parseValue(depth: 0) else { return .some(nil) }
            parser.skipWhitespace()
            return .some(parser.atEnd ? value : nil)
        }
        switch object {
        case .none: return row.structured(key)
        case .some(let value?): return .object(.value(value))
        case .some(nil): return nil
        }
    }
}
