/// One record that was not used, with where it is and why.
public struct Rejection: Sendable, Codable, Equatable {
    public var line: Int
    public var column: Int?
    public var record: Int
    public var reason: String
}

/// What a CSV file's opening says, read once for the file (a later part of it is read with the
/// heading its plan read).
struct CSVHeading: Equatable {
    let separator: UInt8
    /// The header's cells as written, and normalised (``FileReader/normaliseHeader(_:)``).
    let headerRow: [String]
    let header: [String]
    /// Column names the header repeats (``FileReader/repeatedNames(_:)``).
    let repeatedNames: [String]
    /// Where the rows start, and the line they start on.
    let rowsStart: Int
    let rowsLine: Int
    /// What the heading says about the file (a `#TYPE` line, the separator, repeated names).
    let remarks: [String]
}

/// What reading one file produced, before duplicates across the run are removed.
struct FileReadOutcome {
    /// The events read, in file order (added with ``add(_:)``).
    private(set) var events: [Event] = []
    /// What the merge reads of each event, at the same index: taken when the event is added,
    /// while its storage is in the cache.
    private(set) var mergeFacts: [MergeFacts] = []
    var read = 0
    var rejected = 0
    var rejections: [Rejection] = []
    var rejectionsByReason: [String: Int] = [:]
    /// File-level remarks: encoding, trailing commas, duplicate CSV headers.
    var remarks: [String] = []
    /// Set when the file is not an export SessionGraph recognises at all.
    var unrecognised: String?
    var format: String = "unknown"
    /// This file's front cache of vocabulary codes for its events' repeated text (dropped when the file is read).
    var interner = TextInterner()
    /// Records the JSON reader could not parse (a part of a file that has any is read again
    /// with the whole file, where recovery from the fault may look past the part's end).
    var parseFailures = 0
    /// Line feeds in a part of a file, to number the next part's lines on from it.
    var lineFeeds = 0
    /// A part that may not read as the whole file does from its start: a part of a JSON array
    /// that did not end at its cut, a part before the last whose reading remarked on the array's
    /// or the envelopes' structure or that ended in an envelope it could not read to its end, a
    /// CSV part before the last that ended inside a quoted cell, a CSV part with no row. The
    /// file is read again whole.
    var partMisaligned = false
    /// The reader's remarks in a later part of a file, at lines counted from the part's start
    /// (``FileReader/joined(_:limits:)`` moves them on and adds them to ``remarks``).
    var lineRemarks: [LineRemark] = []

    mutating func add(_ event: Event) {
        mergeFacts.append(MergeFacts(event))
        events.append(event)
    }

    /// Makes room for `count` events in all (the parts of a file, before they are joined).
    mutating func reserveCapacity(_ count: Int) {
        events.reserveCapacity(count)
        mergeFacts.reserveCapacity(count)
    }

    /// Appends the events of a later part of the same file, their records and lines numbered on
    /// by `records` and `lines` (the part is left without events).
    mutating func append(eventsOf part: inout FileReadOutcome, records: Int32, lines: Int32) {
        var moved: [Event] = []
        swap(&moved, &part.events)
        for index in moved.indices {
            moved[index].provenance.record += records
            // Clamped as a whole read clamps it (a file of more than 2^31 lines).
            moved[index].provenance.line = Int32(clamping: Int(moved[index].provenance.line) + Int(lines))
        }
        events.append(contentsOf: moved)
        mergeFacts.append(contentsOf: part.mergeFacts.lazy.map { facts in
            var facts = facts
            facts.record += records
            return facts
        })
        part.mergeFacts = []
    }

    /// Takes the merge facts out (the merge lays them side by side for all files).
    mutating func takeMergeFacts() -> [MergeFacts] {
        var taken: [MergeFacts] = []
        swap(&taken, &mergeFacts)
        return taken
    }

    /// Takes the events out (the merge moves them into time order).
    mutating func takeEvents() -> [Event] {
        var taken: [Event] = []
        swap(&taken, &events)
        mergeFacts = []
        return taken
    }
}

/// Reads one file: decides JSON or CSV from its first bytes, walks its records and interprets
/// each, counting every record as an event or a rejection.
struct FileReader {
    let path: String
    let fileIndex: Int32
    let limits: ReadLimits

    func read() -> FileReadOutcome {
        var outcome = FileReadOutcome()
        let input: InputBytes
        do {
            input = try InputBytes.open(path: path)
        } catch {
            outcome.unrecognised = error.message
            return outcome
        }
        outcome.remarks.append(contentsOf: input.encodingNotes)
        if let problem = input.problem { outcome.remarks.append(problem) }
        input.withBytes { bytes in
            guard let (start, firstLineEnd, refusal) = opening(bytes, textStart: input.textStart) else {
                outcome.remarks.append("empty file: no records")
                outcome.format = "empty"
                return
            }
            if let refusal {
                outcome.unrecognised = refusal
                return
            }
            let jsonStart = bytes[start] == UInt8(ascii: "{") || bytes[start] == UInt8(ascii: "[")
            let progress = Self.pageReleaser(input, from: 0)
            if jsonStart || firstLineIsJSONScalar(bytes, from: start, to: firstLineEnd) {
                outcome.format = "json"
                readJSON(bytes, start: start, into: &outcome, progress: progress)
            } else {
                outcome.format = "csv"
                readCSV(bytes, start: input.textStart, into: &outcome, progress: progress)
            }
        }
        // A truncated gzip stream is said in the remarks; a record it cut is rejected by the parser.
        outcome.interner = TextInterner()
        return outcome
    }

    /// A first line that is one JSON string, number, boolean or null: JSON text (each such
    /// record is then rejected for what it is), not a one-column CSV header.
    func firstLineIsJSONScalar(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Bool {
        var parser = JSONParser(bytes: UnsafeBufferPointer(rebasing: bytes[0..<end]), position: start, maxDepth: 1, maxStringBytes: 4096)
        guard (try? parser.parseValue(depth: 0)) != nil else { return false }
        parser.skipWhitespace()
        return parser.atEnd
    }

    /// ASCII text saved as UTF-16 without a byte-order mark: every other byte is NUL.
    /// A file's opening: its first text byte from `textStart` (whitespace skipped), the end of
    /// that line (4,096 bytes on at most), and why the file is refused before it is read, if it
    /// is (UTF-16 without a byte-order mark; binary). Nil for a file of nothing but whitespace.
    /// `read()` and `partPlan` both ask it, so a file one refuses the other does not split.
    func opening(_ bytes: UnsafeBufferPointer<UInt8>, textStart: Int) -> (start: Int, firstLineEnd: Int, refusal: String?)? {
        var start = textStart
        while start < bytes.count, isJSONWhitespace(bytes[start]) { start += 1 }
        guard start < bytes.count else { return nil }
        var firstLineEnd = start
        while firstLineEnd < bytes.count, firstLineEnd - start < 4096, bytes[firstLineEnd] != 0x0A { firstLineEnd += 1 }
        if looksLikeUTF16WithoutBOM(bytes, from: start) {
            return (start, firstLineEnd, "looks like UTF-16 text without a byte-order mark (expected UTF-8, or UTF-16 with a byte-order mark as Excel writes it)")
        }
        // JSON text whose first line is clean is read as JSON even if junk follows (each bad
        // record is then rejected on its own); anything else with control bytes is binary.
        let jsonStart = bytes[start] == UInt8(ascii: "{") || bytes[start] == UInt8(ascii: "[")
        if looksBinary(bytes, from: start, to: jsonStart ? firstLineEnd : min(bytes.count, start + 4096)) {
            return (start, firstLineEnd, "binary data (NUL or control bytes near the start); expected JSON or CSV text")
        }
        return (start, firstLineEnd, nil)
    }

    private func looksLikeUTF16WithoutBOM(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        let end = min(bytes.count, start + 512)
        guard end - start >= 8 else { return false }
        var evenZero = 0, oddZero = 0, pairs = 0
        var i = start
        while i + 1 < end {
            if bytes[i] == 0 && bytes[i + 1] != 0 { evenZero += 1 }
            if bytes[i] != 0 && bytes[i + 1] == 0 { oddZero += 1 }
            pairs += 1
            i += 2
        }
        return evenZero * 10 >= pairs * 9 || oddZero * 10 >= pairs * 9
    }

    func looksBinary(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Bool {
        var controls = 0
        guard end > start else { return false }
        for i in start..<end {
            let b = bytes[i]
            if b == 0 { return true }
            if b < 0x09 || (b > 0x0D && b < 0x20) { controls += 1 }
        }
        return controls * 20 > (end - start)
    }

    private func reject(_ outcome: inout FileReadOutcome, line: Int, column: Int?, reason: String) {
        outcome.read += 1
        outcome.rejected += 1
        outcome.rejectionsByReason[Self.reasonClass(reason), default: 0] += 1
        if outcome.rejections.count < limits.maxListedRejections {
            outcome.rejections.append(Rejection(line: line, column: column, record: outcome.read, reason: reason))
        }
    }

    /// A reason without its specific values, for the per-reason summary: text in single quotes
    /// elided to `'…'`, numbers outside them made `N`. An ASCII reason (nearly all) is done on
    /// its bytes: a file of a million records that are not an export spent a third of its run
    /// asking each character of each reason whether it is a number.
    static func reasonClass(_ reason: String) -> String {
        var reason = reason
        return reason.withUTF8(asciiReasonClass) ?? reasonClassByCharacters(reason)
    }

    /// ``reasonClass(_:)`` of an ASCII reason, byte by byte; nil for any other.
    static func asciiReasonClass(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count + 8)
        var inQuote = false
        for byte in bytes {
            if byte == UInt8(ascii: "'") {
                inQuote.toggle()
                if inQuote { text.append(UInt8(ascii: "'")) } else { text.append(contentsOf: "…'".utf8) }
            } else if !inQuote {
                text.append(byte &- UInt8(ascii: "0") < 10 ? UInt8(ascii: "N") : byte)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// ``reasonClass(_:)`` character by character (a number is any character Unicode calls one).
    static func reasonClassByCharacters(_ reason: String) -> String {
        var text = ""
        var inQuote = false
        for character in reason {
            if character == "'" {
                inQuote.toggle()
                if !inQuote { text.append("…'") } else { text.append("'") }
                continue
            }
            if !inQuote { text.append(character.isNumber ? "N" : character) }
        }
        return text
    }

    /// Interprets one record into an event, or rejects it. `fullRecord` parses the record again
    /// in full, for a rejection that names its keys; it is a plain closure, not an optional one,
    /// so it does not escape (an optional closure did, and cost an allocation for every record).
    private func accept<Record: RecordFields>(_ outcome: inout FileReadOutcome, _ record: Record, origin: RecordOrigin, line: Int, column: Int?, truncatedStrings: Int = 0,
                        duplicateKeys: [String] = [], fullRecord: () -> JSONValue? = { nil }) {
        let index = outcome.read + 1
        guard outcome.read < limits.maxRecordsPerFile else {
            reject(&outcome, line: line, column: column, reason: "more than \(limits.maxRecordsPerFile) records in one file (limit --max-records-per-file)")
            return
        }
        do {
            let provenance = Provenance(fileIndex: fileIndex, line: Int32(clamping: line), record: Int32(clamping: index))
            var draft = EventDraft.blank(provenance)
            try RecordInterpreter.interpret(record, origin: origin, provenance: provenance, duplicateKeys: duplicateKeys, into: &draft)
            if truncatedStrings > 0 {
                draft.notes.append("\(truncatedStrings) value(s) longer than \(limits.maxStringBytes) bytes were cut to that length (limit --max-string-bytes)")
            }
            outcome.read += 1
            outcome.add(outcome.interner.event(draft))
        } catch {
            var reason = error.reason
            // An unrecognised JSON record is read again in full, so its rejection names its keys.
            if reason.hasPrefix("unrecognised record"), let full = fullRecord(),
               case .failure(let again) = Result(catching: { () throws(RecordRejection) -> EventDraft in
                   try RecordInterpreter.interpret(full, origin: origin, provenance: Provenance(fileIndex: fileIndex, line: 0, record: 0))
               }) {
                reason = again.reason
            }
            reject(&outcome, line: line, column: column, reason: reason)
        }
    }

    /// How many bytes are read before their mapped pages are released.
    static let releaseStep = 32 << 20

    /// How far ahead of the parser the file's pages are asked for.
    static let prefetchStep = 16 << 20

    /// A callback for the offset reached in the bytes from `start` on: it keeps the OS reading
    /// the next ``prefetchStep`` bytes ahead of the parser, and every ``releaseStep`` bytes it
    /// releases the mapped pages read since the last release (pages from `start` on only: another
    /// core may be reading the pages of another part of the file). Each release starts where the
    /// last ended: from `start` every time, a 4.9 GB run asked the OS to drop 56 GB of pages,
    /// most of them dropped already.
    static func pageReleaser(_ input: InputBytes, from start: Int) -> (Int) -> Void {
        var releasedTo = start
        var prefetched = start + prefetchStep
        input.prefetch(start..<prefetched)
        return { offset in
            if offset + prefetchStep / 2 >= prefetched {
                // From the parser's offset when a long record jumped past what was asked for.
                let from = max(prefetched, offset)
                input.prefetch(from..<(from + prefetchStep))
                prefetched = from + prefetchStep
            }
            if offset - releasedTo >= releaseStep { releasedTo = input.releasePages(from: releasedTo, before: offset) }
        }
    }

    /// `part`, for a part of a file (``FilePartPlan``): its index, whether it is the last, and
    /// how the file is laid out (NDJSON, a top-level array, envelopes a line each).
    func readJSON(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, into outcome: inout FileReadOutcome, progress: (Int) -> Void,
                  part: (index: Int, last: Bool, layout: FilePartPlan.Layout)? = nil) {
        // A later part of a file counts its lines from its own start (the first counts from 0).
        let index = part?.index ?? 0
        var reader = JSONRecordReader(bytes: bytes, limits: limits, lineOrigin: index == 0 ? 0 : start)
        // An unrecognised record is parsed again in full (its rejection names all its keys), by
        // one parser for the file: a parser made and destroyed for each such record was two
        // thirds of reading a file of records that are not an export.
        var fullParser: JSONParser?
        func full(from start: Int) -> JSONValue? {
            if fullParser == nil {
                fullParser = JSONParser(bytes: bytes, position: start, maxDepth: limits.maxDepth, maxStringBytes: limits.maxStringBytes)
            } else {
                fullParser!.restart(over: bytes, at: start)
            }
            return try? fullParser!.parseValue(depth: 0)
        }
        func take(_ raw: RawJSONRecord) {
            if outcome.unrecognised != nil { return }
            if raw.bytes.lowerBound > 0 { progress(raw.bytes.lowerBound) }
            switch raw.value {
            case .success(let value) where index == 0 && outcome.read == 0 && value.has(.incidents) && value.has(.seed) && value.has(.layout):
                // `sessiongraph simulate` writes its ground truth next to the exports.
                outcome.unrecognised = "SessionGraph simulator ground truth (truth.json), not an export"
            case .success(let parsed):
                switch parsed {
                case .fields(let record):
                    accept(&outcome, record, origin: .json(raw.container), line: raw.line, column: nil, truncatedStrings: raw.truncatedStrings,
                           duplicateKeys: raw.duplicateKeys, fullRecord: { full(from: raw.bytes.lowerBound) })
                case .value(let value):
                    accept(&outcome, value, origin: .json(raw.container), line: raw.line, column: nil, truncatedStrings: raw.truncatedStrings,
                           duplicateKeys: raw.duplicateKeys, fullRecord: { full(from: raw.bytes.lowerBound) })
                }
            case .failure(let error):
                outcome.parseFailures += 1
                // Valid JSON of the wrong kind (`{"records": 5}`) is not "malformed".
                let reason = error.message.hasPrefix("'") ? error.message : "malformed JSON: \(error.message)"
                reject(&outcome, line: raw.line, column: raw.column, reason: reason)
            }
        }
        let last = part?.last ?? true
        switch part?.layout {
        case .array?:
            let endedAtCut = reader.readArrayPart(from: start, first: index == 0, last: last, take)
            // A part before the last ends at its cut with nothing to say about the array; the
            // last may say how the array ends (its lines are moved on when the parts are joined).
            if !endedAtCut || (!last && !reader.remarks.isEmpty) { outcome.partMisaligned = true }
        case .envelopes(let container)?:
            let readToTheEnd = reader.readEnvelopePart(from: start, container: container, take)
            // A part before the last is read to its end with nothing to say; the last ends as
            // the whole read does.
            if !last && (!readToTheEnd || !reader.remarks.isEmpty) { outcome.partMisaligned = true }
        case .ndjson?, .csv?, nil:
            reader.read(from: start, take)
        }
        if index > 0 {
            outcome.lineRemarks = reader.remarks
        } else {
            outcome.remarks.append(contentsOf: reader.remarks.map(\.description))
        }
        if part != nil { outcome.lineFeeds = reader.lineFeeds(before: bytes.count) }
    }

    /// Reads a CSV file from `start` (its text start), or one part of it (``FilePartPlan``) with
    /// the heading the plan read from the whole file: the first part from the heading's rows on,
    /// with its remarks; a later part from a row start, its lines counted from its own start.
    func readCSV(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, into outcome: inout FileReadOutcome, progress: (Int) -> Void,
                 part: (index: Int, last: Bool, heading: CSVHeading)? = nil) {
        let heading: CSVHeading
        if let part {
            heading = part.heading
        } else {
            switch Self.csvHeading(bytes, start: start, limits: limits) {
            case .failure(let refusal):
                outcome.unrecognised = refusal.reason
                return
            case .success(let read):
                heading = read
            }
        }
        var reader: CSVReader
        if let part, part.index > 0 {
            reader = CSVReader(bytes: bytes, start: start, separator: heading.separator, maxCellBytes: limits.maxCSVCellBytes)
        } else {
            // The first part, too, takes the heading the plan read from the whole file: read
            // again from the bytes before its cut, the separator's guess could see less.
            outcome.remarks.append(contentsOf: heading.remarks)
            reader = CSVReader(bytes: bytes, start: heading.rowsStart, separator: heading.separator, maxCellBytes: limits.maxCSVCellBytes)
            reader.line = heading.rowsLine
        }
        let cells = limits.skipUnusedFields ? JSONCellParser() : nil
        let columns = CSVColumns(header: heading.header, repeats: !heading.repeatedNames.isEmpty)
        // The record column is read flat, as a JSON file's record is, by a parser of its own.
        let recordCells = JSONCellParser()
        var rows = 0
        while let next = reader.next() {
            rows += 1
            progress(reader.position)
            switch next {
            case .failure(let error):
                reject(&outcome, line: error.line, column: nil, reason: "malformed CSV: \(error.message)")
            case .success(let row):
                if row.cells.count > heading.header.count {
                    reject(&outcome, line: row.line, column: nil, reason: "row has \(row.cells.count) cells (expected \(heading.header.count), as in the header)")
                    continue
                }
                // Exports joined with `cat` repeat their header (and their byte-order mark and
                // PowerShell's `#TYPE` line): said as what it is.
                if let repeated = Self.repeatedHeading(row.cells, header: heading.headerRow) {
                    reject(&outcome, line: row.line, column: nil, reason: "\(repeated) again (CSV files joined with their headers?): not a record")
                    continue
                }
                CSVRecord(cells: row.cells, columns: columns, cellParser: cells).withRecordColumnRead(parser: recordCells) { record in
                    accept(&outcome, record, origin: .csv, line: row.line, column: nil)
                }
            }
        }
        guard let part else {
            if rows == 0 { outcome.remarks.append("header only: no records") }
            return
        }
        outcome.lineFeeds = reader.line - 1
        // A part before the last that ends inside a quoted cell was cut inside a record; a part
        // with no rows leaves the "header only" remark to a whole read.
        if rows == 0 || (!part.last && reader.endedInQuote) { outcome.partMisaligned = true }
    }

    /// Why a file's opening is not a CSV export's heading (the file is then unrecognised).
    struct CSVHeadingRefusal: Error {
        let reason: String
    }

    /// Reads a CSV file's heading from its text start: PowerShell's `#TYPE` line, the separator,
    /// the header row, checked to name at least one column of a known export.
    static func csvHeading(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, limits: ReadLimits) -> Result<CSVHeading, CSVHeadingRefusal> {
        var position = start
        var firstLine = 1
        var remarks: [String] = []
        // Windows PowerShell's Export-Csv writes a "#TYPE ..." line first.
        if bytes.count - position > 5, Array(UnsafeBufferPointer(rebasing: bytes[position..<(position + 5)])) == Array("#TYPE".utf8) {
            while position < bytes.count, bytes[position] != 0x0A { position += 1 }
            position += 1
            firstLine = 2
            remarks.append("skipped a '#TYPE' line written by PowerShell")
        }
        let separator = CSVReader.detectSeparator(bytes, start: position)
        var reader = CSVReader(bytes: bytes, start: position, separator: separator, maxCellBytes: limits.maxCSVCellBytes)
        reader.line = firstLine
        if separator != UInt8(ascii: ",") { remarks.append("separator \(separator == 0x09 ? "tab" : "';'")") }
        let first = reader.next()
        if case .failure(let error)? = first {
            return .failure(CSVHeadingRefusal(reason: "line \(error.line): the header row is malformed: \(error.message)"))
        }
        guard case .success(let headerRow)? = first else {
            return .failure(CSVHeadingRefusal(reason: "no header row (expected CSV with column names)"))
        }
        let headerCells = headerRow.strings
        let header = headerCells.map(Self.normaliseHeader)
        guard header.count >= 2, header.contains(where: { !$0.isEmpty }) else {
            return .failure(CSVHeadingRefusal(reason: "first line is not a CSV header with at least two columns (expected JSON or CSV)"))
        }
        guard header.contains(where: { Self.knownColumns.contains($0.lowercased()) }) else {
            let first = header.prefix(4).map { "'\(IdentifierNormalizer.clip($0, 30))'" }.joined(separator: ", ")
            return .failure(CSVHeadingRefusal(reason: "CSV header has none of the columns of a known export (first columns: \(first)); expected e.g. TimeGenerated, CreatedDateTime, AuditData, Timestamp"))
        }
        let duplicates = Self.repeatedNames(header)
        if !duplicates.isEmpty {
            let listed = duplicates.prefix(10).map { "'\(IdentifierNormalizer.clip($0, 60))'" }.joined(separator: ", ")
            let more = duplicates.count > 10 ? " and \(duplicates.count - 10) more" : ""
            remarks.append("duplicate CSV headers \(listed)\(more): the first non-empty value is used")
        }
        return .success(CSVHeading(separator: separator, headerRow: headerCells, header: header, repeatedNames: duplicates,
                                   rowsStart: reader.position, rowsLine: reader.line, remarks: remarks))
    }

    /// What a row repeats of a file's opening, when it is that: `the header row` (a leading
    /// byte-order mark aside) or `a '#TYPE' line` (PowerShell's `Export-Csv`); nil for a record.
    /// Cells are compared as text, as strings compare (invalid UTF-8 repaired, canonically
    /// equivalent text equal), but by their bytes alone when those are equal or ASCII.
    static func repeatedHeading(_ cells: [UnsafeBufferPointer<UInt8>], header: [String]) -> String? {
        guard let first = cells.first else { return nil }
        func isText(_ cell: UnsafeBufferPointer<UInt8>, _ text: String) -> Bool {
            if cell.elementsEqual(text.utf8) { return true }
            if !cell.contains(where: { $0 >= 0x80 }) && !text.utf8.contains(where: { $0 >= 0x80 }) { return false }
            return String(decoding: cell, as: UTF8.self) == text
        }
        if cells.count == 1, first.starts(with: "#TYPE ".utf8),
           first.count == 6 || first[6] < 0x80 || String(decoding: first, as: UTF8.self).hasPrefix("#TYPE ") {
            return "a '#TYPE' line"
        }
        guard cells.count == header.count else { return nil }
        let bare = first.starts(with: [0xEF, 0xBB, 0xBF]) ? UnsafeBufferPointer(rebasing: first.dropFirst(3)) : first
        guard isText(bare, header[0]), zip(cells.dropFirst(), header.dropFirst()).allSatisfy({ isText($0, $1) }) else { return nil }
        return "the header row"
    }

    /// Column names of which a recognisable CSV export has at least one (case-insensitive).
    static let knownColumns: Set<String> = [
        "timegenerated", "createddatetime", "auditdata", "recordid", "creationdate", "creationtime", "timestamp", "actiontype",
        "reportid", "raweventdata", "requesturi", "signinactivityid", "sessionid", "uniquetokenidentifier",
        "officeworkload", "officeid", "userprincipalname", "ipaddress", "id", "type",
    ]

    /// `CreatedDateTime [UTC]` → `CreatedDateTime`; surrounding and doubled spaces removed.
    static func normaliseHeader(_ raw: String) -> String {
        var name = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        if name.lowercased().hasSuffix(" [utc]") { name.removeLast(6) }
        return name
    }
}

extension FileReader {
    /// Column names that occur more than once (case-insensitive), each once, as first spelt.
    static func repeatedNames(_ names: [String]) -> [String] {
        var seen = Set<String>()
        var reported = Set<String>()
        var repeated: [String] = []
        var firstSpelling: [String: String] = [:]
        for name in names where !name.isEmpty {
            let folded = name.lowercased()
            if seen.insert(folded).inserted {
                firstSpelling[folded] = name
            } else if reported.insert(folded).inserted {
                repeated.append(firstSpelling[folded] ?? name)
            }
        }
        return repeated
    }
}
