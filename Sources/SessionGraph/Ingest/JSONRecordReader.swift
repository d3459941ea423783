#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A remark on a file's structure at one of its lines (``JSONRecordReader/remarks``), kept apart
/// from its text so that a part of a file read on its own can have its line moved on.
struct LineRemark: Equatable, CustomStringConvertible {
    var line: Int
    var text: String
    var description: String { "line \(line): \(text)" }
}

/// How the records of a JSON file are laid out.
enum JSONContainer: Equatable {
    /// One value per line, or values one after another (NDJSON, `PT1H.json`, pretty-printed
    /// objects concatenated).
    case sequence
    /// A top-level array of records.
    case array
    /// An object whose `records` member holds the records (Event Hub / diagnostic settings).
    case recordsEnvelope
    /// A Microsoft Graph page: `{"@odata.context", "value": [...], "@odata.nextLink"?}`.
    case graphPage
}

/// One record as found in a JSON file, before anyone looked at what it means. A record read flat
/// (`.success(.fields)`) borrows the parser's storage: it is valid only during the reader's
/// callback, and must not be kept.
struct RawJSONRecord {
    var value: Result<ParsedRecord, JSONParseError>
    var line: Int
    var column: Int
    var container: JSONContainer
    /// Strings longer than the limit that were cut in this record.
    var truncatedStrings = 0
    /// Keys repeated inside the record object or its `properties`.
    var duplicateKeys: [String] = []
    /// Where the record's bytes are, to read it again in full when it is not recognised.
    var bytes: Range<Int> = 0..<0
    /// Where the parser began a record it failed to read (nil for a record refused before it
    /// was parsed), so the failure can be compared with the tree's (``FlatRecordCheck``).
    var failedFrom: Int? = nil
}

/// Walks the top level of a JSON file and hands out one record at a time, so a large array is
/// never built whole. A broken NDJSON line is reported and the next line is read; a broken
/// element of a pretty-printed array is reported and the reader resynchronises at the next
/// element that starts at the same indentation.
struct JSONRecordReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var limits: ReadLimits
    /// File-level remarks (a trailing comma, a cut-off array), each at its line.
    private(set) var remarks: [LineRemark] = []

    private var lineCursor = 0
    private var lineNumber = 1
    private var lineStart = 0
    /// A newline already found at or after ``lineCursor``, with none between them (the end of
    /// the line a record starts on), so the counter steps over it instead of scanning the line a
    /// second time; -1 when none is known.
    private var newlineAhead = -1

    /// `lineOrigin` is a line start from which lines are counted as line 1 (a part of a file
    /// read on its own; see ``FilePartPlan``); reading starts there or later.
    init(bytes: UnsafeBufferPointer<UInt8>, limits: ReadLimits, lineOrigin: Int = 0) {
        self.bytes = bytes
        self.limits = limits
        lineCursor = lineOrigin
        lineStart = lineOrigin
    }

    /// Advances the line counter to `offset` and returns (line, column), both 1-based.
    private mutating func location(of offset: Int) -> (Int, Int) {
        if offset < lineCursor {  // resynchronisation never goes backwards, but stay correct
            lineCursor = 0
            lineNumber = 1
            lineStart = 0
            newlineAhead = -1
        }
        var i = lineCursor
        if newlineAhead >= i && newlineAhead < offset {
            lineNumber += 1
            lineStart = newlineAhead + 1
            i = newlineAhead + 1
        }
        // memchr from newline to newline over what is left.
        while let at = memchrOffset(bytes, 0x0A, from: i, to: offset) {
            lineNumber += 1
            lineStart = at + 1
            i = at + 1
        }
        lineCursor = offset
        return (lineNumber, offset - lineStart + 1)
    }

    /// Line feeds between the line origin and `offset`; after a read, only the bytes after the
    /// last record's start are scanned (the pages before it may already be released).
    mutating func lineFeeds(before offset: Int) -> Int {
        location(of: offset).0 - 1
    }

    /// Reads every record from `start`, calling `body` for each; a record read flat is valid only
    /// during its call (it borrows the parser's storage).
    mutating func read(from start: Int, _ body: (RawJSONRecord) -> Void) {
        var parser = JSONParser(bytes: bytes, position: start, maxDepth: limits.maxDepth, maxStringBytes: limits.maxStringBytes)
        parser.skipsUnreadMembers = limits.skipUnusedFields
        parser.skipWhitespace()
        guard let first = parser.current else { return }
        if first == UInt8(ascii: "[") {
            parser.position += 1
            guard readArrayElements(&parser, container: .array, body) == .closed else { return }
            readAfterArray(&parser, body)
            return
        }
        if first == UInt8(ascii: "{"), let container = envelopeKind(at: parser.position) {
            readEnvelopes(&parser, container: container, body)
            return
        }
        readSequence(&parser, body)
    }

    /// One envelope, or one after another (Event Hub messages written a line each, Graph pages
    /// appended to one file): each of `container`'s kind read as an envelope, anything between
    /// them as values (a stray line does not make the envelopes after it values). Returns false
    /// when an envelope could not be read to its closing brace: nothing after it is read.
    @discardableResult
    private mutating func readEnvelopes(_ parser: inout JSONParser, container: JSONContainer, _ body: (RawJSONRecord) -> Void) -> Bool {
        while true {
            parser.skipWhitespace()
            guard !parser.atEnd else { return true }
            if parser.current == UInt8(ascii: "{"), envelopeKind(at: parser.position) == container {
                guard readEnvelope(&parser, container: container, body) else { return false }
            } else {
                readSequence(&parser, upTo: container, body)
            }
        }
    }

    /// Reads one part of a file of envelopes one after another (``FilePartPlan``), from one that
    /// starts a line, as ``read(from:_:)`` reads them (``readEnvelopes``). Returns false when an
    /// envelope could not be read to its closing brace, after which a whole read reads nothing
    /// (a part before the last that did so is read again whole).
    mutating func readEnvelopePart(from start: Int, container: JSONContainer, _ body: (RawJSONRecord) -> Void) -> Bool {
        var parser = JSONParser(bytes: bytes, position: start, maxDepth: limits.maxDepth, maxStringBytes: limits.maxStringBytes)
        parser.skipsUnreadMembers = limits.skipUnusedFields
        return readEnvelopes(&parser, container: container, body)
    }

    /// Reads one part of a top-level array (``FilePartPlan``): from its `[` when `first`, else
    /// from an element after a comma; to the end of the bytes, just after a comma, unless
    /// `last`, which reads to the `]` and what follows it as ``read(from:_:)`` does, or stops
    /// where the whole read would. Returns whether the part ended where it should (a part that
    /// did not is read again whole).
    mutating func readArrayPart(from start: Int, first: Bool, last: Bool, _ body: (RawJSONRecord) -> Void) -> Bool {
        var parser = JSONParser(bytes: bytes, position: start, maxDepth: limits.maxDepth, maxStringBytes: limits.maxStringBytes)
        parser.skipsUnreadMembers = limits.skipUnusedFields
        if first {
            parser.skipWhitespace()
            guard parser.current == UInt8(ascii: "[") else { return false }
            parser.position += 1
        }
        let end = readArrayElements(&parser, container: .array, endsAtCut: !last, body)
        guard last else { return end == .cut }
        // The last part ends as the whole read does: after the `]` and what follows it, or where
        // the array stopped (cut off, or not to be resynchronised), with the same remark.
        if end == .closed { readAfterArray(&parser, body) }
        return true
    }

    /// What follows a top-level array's `]`: more arrays one after another (pages a script
    /// appended to one file) are read as the first is, anything else as values.
    private mutating func readAfterArray(_ parser: inout JSONParser, _ body: (RawJSONRecord) -> Void) {
        while true {
            parser.skipWhitespace()
            guard !parser.atEnd else { return }
            guard parser.current == UInt8(ascii: "[") else { break }
            parser.position += 1
            guard readArrayElements(&parser, container: .array, body) == .closed else { return }
        }
        readSequence(&parser, body)
    }

    /// Values one after another. On a parse error, skips to the next line. With `envelopes`, it
    /// returns at an envelope of that kind after the first value (``readEnvelopes`` found that
    /// the first is none).
    private mutating func readSequence(_ parser: inout JSONParser, upTo envelopes: JSONContainer? = nil, _ body: (RawJSONRecord) -> Void) {
        parser.recordDepth = 1
        var lineEnd = -1
        let entry = parser.position
        while true {
            parser.skipWhitespace()
            guard !parser.atEnd else { return }
            if let envelopes, parser.position > entry, parser.current == UInt8(ascii: "{"), envelopeKind(at: parser.position) == envelopes { return }
            let start = parser.position
            let (line, column) = location(of: start)
            // The end of the current line, found once per line (several records may share one).
            if start >= lineEnd {
                lineEnd = nextNewline(from: start)
                // The counter is at `start`: no newline lies between it and the one found.
                if lineEnd > start, bytes[lineEnd - 1] == 0x0A { newlineAhead = lineEnd - 1 }
            }
            var contentEnd = lineEnd
            while contentEnd > start, bytes[contentEnd - 1] == 0x0A || bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            if contentEnd - start > limits.maxRecordBytes && !endsWithin(from: start, bound: start + limits.maxRecordBytes) {
                // A one-line record longer than the limit is refused after at most that many
                // bytes were stepped over; pretty-printed records span lines and are bounded by
                // the parser's depth and string limits. Small records sharing a long line are
                // each measured on their own.
                body(RawJSONRecord(value: .failure(JSONParseError(offset: start, message: "record longer than \(limits.maxRecordBytes) bytes (limit --max-record-bytes)")), line: line, column: column, container: .sequence))
                parser.position = lineEnd
                continue
            }
            let cutBefore = parser.truncatedStrings
            parser.duplicateKeys.removeAll(keepingCapacity: true)
            do {
                let parsed = try parser.parseRecord(depth: 0)
                let (truncated, repeated, end) = (parser.truncatedStrings - cutBefore, parser.duplicateKeys, parser.position)
                parser.withRecord(parsed) { record in
                    body(RawJSONRecord(value: .success(record), line: line, column: column, container: .sequence, truncatedStrings: truncated, duplicateKeys: repeated, bytes: start..<end))
                }
            } catch {
                body(RawJSONRecord(value: .failure(error), line: line, column: column, container: .sequence, failedFrom: start))
                // One record per line (NDJSON): go on at the next line. A record that starts a
                // pretty-printed object: go on at the next line that starts a value in the same
                // column, so the rest of the broken object is not read as records.
                // A broken line followed by a complete one-line record no further indented is
                // NDJSON: the parser may have run on into that record, so go on at the line after
                // the broken one.
                let next = nextNewline(from: max(error.offset, start))
                if lineEnd < bytes.count, holdsOneLineRecord(at: lineEnd, maxColumn: column) {
                    parser.position = lineEnd
                } else if lineEnd < bytes.count, bytes[start] == UInt8(ascii: "{") || bytes[start] == UInt8(ascii: "["), !restOfLineCloses(from: start, end: lineEnd) {
                    parser.position = resynchronise(after: start + 1, column: column, opening: bytes[start]) ?? max(next, start + 1)
                } else {
                    parser.position = max(next, start + 1)
                }
            }
        }
    }

    /// How an array's elements ended.
    private enum ArrayEnd {
        /// At its closing `]`.
        case closed
        /// At the end of the bytes, just after a comma: the cut of a part (``readArrayPart``).
        case cut
        /// Early, or at an element that could not be resynchronised: nothing after it can be
        /// trusted as structure, and that is said in a remark, not as made-up records.
        case stopped
    }

    /// Elements of an array whose `[` was consumed, up to its `]`; when `endsAtCut`, the bytes
    /// end after a comma instead (a part of the array, ``readArrayPart``).
    private mutating func readArrayElements(_ parser: inout JSONParser, container: JSONContainer, endsAtCut: Bool = false,
                                            _ body: (RawJSONRecord) -> Void) -> ArrayEnd {
        parser.recordDepth = 2
        parser.skipWhitespace()
        if parser.current == UInt8(ascii: "]") {
            parser.position += 1
            return .closed
        }
        while true {
            parser.skipWhitespace()
            let start = parser.position
            guard !(parser.atEnd && endsAtCut) else { return .cut }
            let (line, column) = location(of: start)
            guard !parser.atEnd else {
                remarks.append(LineRemark(line: line, text: "the array is cut off after its last complete record (expected more elements or ']')"))
                return .stopped
            }
            if parser.current == UInt8(ascii: "]") {  // trailing comma
                remarks.append(LineRemark(line: line, text: "trailing comma before ']' (tolerated)"))
                parser.position += 1
                return .closed
            }
            let cutBefore = parser.truncatedStrings
            parser.duplicateKeys.removeAll(keepingCapacity: true)
            do {
                let parsed = try parser.parseRecord(depth: 1)
                let (truncated, repeated, end) = (parser.truncatedStrings - cutBefore, parser.duplicateKeys, parser.position)
                parser.withRecord(parsed) { record in
                    body(RawJSONRecord(value: .success(record), line: line, column: column, container: container, truncatedStrings: truncated, duplicateKeys: repeated, bytes: start..<end))
                }
            } catch {
                body(RawJSONRecord(value: .failure(error), line: line, column: column, container: container, failedFrom: start))
                guard let resume = resynchronise(after: max(error.offset, start + 1), column: column) ?? nextElement(after: max(error.offset, start + 1)) else {
                    let (l, _) = location(of: max(error.offset, start))
                    remarks.append(LineRemark(line: l, text: "the rest of the file after this broken record could not be resynchronised and was not read"))
                    return .stopped
                }
                parser.position = resume
                continue
            }
            parser.skipWhitespace()
            guard let next = parser.current else {
                let (l, _) = location(of: parser.position)
                remarks.append(LineRemark(line: l, text: "the array is cut off after its last complete record (expected ',' or ']')"))
                return .stopped
            }
            parser.position += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "]") { return .closed }
            let (l, c) = location(of: parser.position - 1)
            body(RawJSONRecord(value: .failure(JSONParseError(offset: parser.position - 1, message: "unexpected \(describe(next)) between array elements (expected ',' or ']')")), line: l, column: c, container: container))
            guard let resume = resynchronise(after: parser.position, column: column) ?? nextElement(after: parser.position) else {
                remarks.append(LineRemark(line: l, text: "the rest of the file after this point could not be resynchronised and was not read"))
                return .stopped
            }
            parser.position = resume
        }
    }

    /// For an array on one line: the next `{` that follows a `,` and starts a value that parses
    /// and is followed by `,` or `]`. Bounded, so hostile input cannot make it quadratic.
    private func nextElement(after offset: Int) -> Int? {
        var i = offset
        var attempts = 0
        while i < bytes.count, attempts < 64 {
            if bytes[i] == UInt8(ascii: "{") {
                var j = i - 1
                while j >= offset, isJSONWhitespace(bytes[j]) { j -= 1 }
                if j >= offset, bytes[j] == UInt8(ascii: ",") {
                    attempts += 1
                    var trial = JSONParser(bytes: bytes, position: i, maxDepth: limits.maxDepth, maxStringBytes: limits.maxStringBytes)
                    if (try? trial.parseValue(depth: 1)) != nil {
                        trial.skipWhitespace()
                        if trial.current == UInt8(ascii: ",") || trial.current == UInt8(ascii: "]") { return i }
                    }
                }
            }
            i += 1
        }
        return nil
    }

    /// An envelope member's key, read whole up to 16 bytes whatever the string limit: a limit
    /// shorter than `records` or `value` must not hide the records.
    private static func envelopeKey(_ parser: inout JSONParser) throws(JSONParseError) -> String {
        let limit = parser.maxStringBytes
        parser.maxStringBytes = max(limit, 16)
        defer { parser.maxStringBytes = limit }
        return try parser.parseString()
    }

    /// `{"records": [...]}` or a Graph page: the record array is streamed, the other members
    /// are parsed and dropped. Returns false when the envelope could not be read to its closing
    /// brace.
    private mutating func readEnvelope(_ parser: inout JSONParser, container: JSONContainer, _ body: (RawJSONRecord) -> Void) -> Bool {
        let recordsKey = container == .recordsEnvelope ? "records" : "value"
        parser.position += 1  // {
        while true {
            parser.skipWhitespace()
            let (line, column) = location(of: parser.position)
            guard let byte = parser.current else {
                remarks.append(LineRemark(line: line, text: "the envelope object is cut off (expected '}')"))
                return false
            }
            if byte == UInt8(ascii: "}") {
                parser.position += 1
                return true
            }
            if byte == UInt8(ascii: ",") {
                parser.position += 1
                continue
            }
            do throws(JSONParseError) {
                guard byte == UInt8(ascii: "\"") else { throw parser.fail("unexpected \(describe(byte)) (expected a quoted key)") }
                let key = try Self.envelopeKey(&parser)
                try parser.expect(UInt8(ascii: ":"), "':' after a key")
                parser.skipWhitespace()
                if asciiCaseInsensitiveEqual(key, recordsKey) {
                    if parser.current == UInt8(ascii: "[") {
                        parser.position += 1
                        guard readArrayElements(&parser, container: container, body) == .closed else { return false }
                    } else {
                        let kind = try parser.parseValue(depth: 1)
                        body(RawJSONRecord(value: .failure(JSONParseError(offset: parser.position, message: "'\(key)' is \(kindName(kind)) (expected an array of records)")), line: line, column: column, container: container))
                    }
                } else {
                    _ = try parser.parseValue(depth: 1)
                }
            } catch {
                let (l, c) = location(of: error.offset)
                body(RawJSONRecord(value: .failure(error), line: l, column: c, container: container))
                return false
            }
        }
    }

    /// Looks at the first keys of the object at `offset`: an envelope has a `records` or `value`
    /// member that is an array, next to `@odata.*` members or nothing else of a record.
    func envelopeKind(at offset: Int) -> JSONContainer? {
        var parser = JSONParser(bytes: bytes, position: offset + 1, maxDepth: limits.maxDepth, maxStringBytes: 4096)
        for _ in 0..<8 {
            parser.skipWhitespace()
            guard parser.current == UInt8(ascii: "\""), let key = try? parser.parseString() else { return nil }
            guard (try? parser.expect(UInt8(ascii: ":"), ":")) != nil else { return nil }
            parser.skipWhitespace()
            if asciiCaseInsensitiveEqual(key, "records") { return .recordsEnvelope }
            if key == "value" && parser.current == UInt8(ascii: "[") { return .graphPage }
            guard key.hasPrefix("@odata") || key.hasPrefix("odata") else { return nil }
            guard (try? parser.skipValue(depth: 1)) != nil else { return nil }
            parser.skipWhitespace()
            guard parser.current == UInt8(ascii: ",") else { return nil }
            parser.position += 1
        }
        return nil
    }

    /// Whether the value at `start` (after whitespace) ends before `bound`, stepped over
    /// without being built.
    private func endsWithin(from start: Int, bound: Int) -> Bool {
        var trial = JSONParser(bytes: UnsafeBufferPointer(rebasing: bytes[0..<min(bound, bytes.count)]), position: start, maxDepth: limits.maxDepth, maxStringBytes: limits.maxStringBytes)
        do {
            try trial.skipValue(depth: 0)
            return true
        } catch {
            return trial.position < trial.bytes.count  // broken before the bound: not too long
        }
    }

    /// Whether the line at `start` holds exactly one object that starts on it at most at
    /// `maxColumn` and ends on it.
    private func holdsOneLineRecord(at start: Int, maxColumn: Int) -> Bool {
        let end = nextNewline(from: start)
        var trial = JSONParser(bytes: UnsafeBufferPointer(rebasing: bytes[0..<end]), position: start, maxDepth: limits.maxDepth, maxStringBytes: limits.maxStringBytes)
        trial.skipWhitespace()
        guard trial.position - start < maxColumn, trial.current == UInt8(ascii: "{"), (try? trial.skipValue(depth: 0)) != nil else { return false }
        trial.skipWhitespace()
        return trial.atEnd
    }

    /// Just past the newline at or after `offset`, or the end of the bytes.
    private func nextNewline(from offset: Int) -> Int {
        memchrOffset(bytes, 0x0A, from: offset, to: bytes.count).map { $0 + 1 } ?? bytes.count
    }

    /// Whether the line from `start` to `end` holds a complete-looking one-line record (it ends
    /// with `}` or `]`), as NDJSON lines do; a pretty-printed record's first line does not.
    private func restOfLineCloses(from start: Int, end: Int) -> Bool {
        var j = end - 1
        while j > start, isJSONWhitespace(bytes[j]) { j -= 1 }
        return bytes[j] == UInt8(ascii: "}") || bytes[j] == UInt8(ascii: "]")
    }

    /// The next line whose first non-blank byte is `opening` (`{` by default) at `column`, for a
    /// pretty-printed array or a sequence of pretty-printed objects.
    private func resynchronise(after offset: Int, column: Int, opening: UInt8 = UInt8(ascii: "{")) -> Int? {
        var i = nextNewline(from: offset)
        while i < bytes.count {
            var j = i
            while j < bytes.count, j - i < column - 1, bytes[j] == 0x20 || bytes[j] == 0x09 { j += 1 }
            if j - i == column - 1, j < bytes.count, bytes[j] == opening { return j }
            i = nextNewline(from: i)
            if i >= bytes.count { break }
        }
        return nil
    }
}

/// Limits on what one record may hold. A record that exceeds one is rejected with the limit
/// named; the run goes on.
public struct ReadLimits: Sendable {
    /// Longest single-line record, in bytes.
    public var maxRecordBytes = 64 << 20
    /// Deepest JSON nesting.
    public var maxDepth = 128
    /// Longest string kept; longer values are cut and the event says so.
    public var maxStringBytes = 1 << 20
    /// Largest CSV cell, in bytes.
    public var maxCSVCellBytes = 16 << 20
    /// Most records read from one file; later records are rejected with this limit named.
    public var maxRecordsPerFile = 50_000_000
    /// Most rejections listed per file in `ingest.json` (all are counted).
    public var maxListedRejections = 50
    /// Step over record members the model never reads instead of building them (``ReadFields``).
    public var skipUnusedFields = true
    /// An NDJSON file or a JSON array at least this large is read in parts, one per core but none
    /// smaller than half of this, joined in file order (``FilePartPlan``).
    /// Low enough that no file of a multi-file export is left whole to one core while the others
    /// finish: at 64 MiB the benchmark's 50 MB audit file took 0.54 s on one core at the end of
    /// ingest, and the run waited about 0.1 s on it (BENCHMARKS.md).
    public var splitFilesFrom = 16 << 20

    public init() {}
}

func kindName(_ value: JSONValue) -> String {
    switch value {
    case .null: return "null"
    case .bool: return "a boolean"
    case .number: return "a number"
    case .string: return "a string"
    case .array: return "an array"
    case .object: return "an object"
    }
}

/// The offset of the first `byte` in `from..<to`, found with memchr.
func memchrOffset(_ bytes: UnsafeBufferPointer<UInt8>, _ byte: UInt8, from: Int, to: Int) -> Int? {
    guard from < to, let base = bytes.baseAddress, let found = memchr(base + from, Int32(byte), to - from) else { return nil }
    return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
}

extension JSONParser {
    /// Parses one record: an object is read flat (``parseRecordFields(depth:)``, which also fills
    /// ``recordSlots``), and nil returned (``withRecord(_:_:)`` hands it out); any other value is
    /// returned parsed.
    mutating func parseRecord(depth: Int) throws(JSONParseError) -> JSONValue? {
        guard try parseRecordFields(depth: depth) else { return try parseValue(depth: depth) }
        return nil
    }

    /// Calls `body` with the record ``parseRecord(depth:)`` just read (`parsed`, its result). A
    /// record read flat borrows the parser's storage and is valid only during the call.
    func withRecord<R>(_ parsed: JSONValue?, _ body: (ParsedRecord) -> R) -> R {
        if let parsed { return body(.value(parsed)) }
        // The record's range must lie in the members: checked in release builds too, since the
        // record reads them through unchecked pointers.
        precondition(recordRange.upperBound <= recordMembers.count, "withRecord without a record read flat")
        return recordMembers.withUnsafeBufferPointer { members in
            recordKeyHashes.withUnsafeBufferPointer { hashes in
                recordDecodedKeys.withUnsafeBufferPointer { keys in
                    recordValues.withUnsafeBufferPointer { values in
                        recordSlots.withUnsafeBufferPointer { all in
                            let slots = recordSlotsHoldAll ? all : UnsafeBufferPointer(start: nil, count: 0)
                            return body(.fields(FlatRecord(bytes: bytes, members: members, keyHashes: hashes, range: recordRange, decodedKeys: keys, values: values, slots: slots)))
                        }
                    }
                }
            }
        }
    }
}
