/// Where a large NDJSON file (or a file of envelopes a line each: Event Hub messages), a large
/// JSON array with an element to a line or pretty-printed (an Extractor Suite or
/// `ConvertTo-Json` export), or a large CSV export is cut so that its parts are read on every
/// core: each part starts at the beginning of a line that starts a record (for an array, an
/// element after a comma, at the indentation of the array's elements; for CSV, a line that
/// reads as a row of the header's width), so that no record is split, and the parts are joined
/// in file order (record and line numbers continued), which gives the events and the account of
/// reading the file whole. Where that could differ (a record the parser could not read before a
/// cut, an array part that did not end at its cut, an envelope part not read to its end, a CSV
/// part that ended inside a quoted cell, a file past the record limit), the file is read again
/// whole (``FileReader/partsNeedWholeRead(_:limits:)``).
struct FilePartPlan: @unchecked Sendable {
    let input: InputBytes
    /// Start offset of each part; a part ends where the next starts (the last at the end).
    let starts: [Int]
    let end: Int
    let layout: Layout

    enum Layout: Equatable {
        /// One JSON record a line.
        case ndjson
        /// One envelope a line, all of the first's kind: Event Hub messages (`{"records": [...]}`)
        /// or Graph pages written a line each.
        case envelopes(JSONContainer)
        /// A top-level array (its first part starts at `[`).
        case array
        /// CSV rows, under the heading read from the whole file's opening (its first part starts
        /// at the text start, and reads its rows from the heading's end).
        case csv(CSVHeading)
    }

    func range(of part: Int) -> Range<Int> {
        starts[part]..<(part + 1 < starts.count ? starts[part + 1] : end)
    }
}

extension FileReader {
    /// How many leading lines must each hold one whole record for a file to be cut into parts.
    static let linesCheckedBeforeSplitting = 16

    /// A plan to read the file in `parts` parts, or nil when it is read whole: smaller than the
    /// limit, compressed or transcoded, refused by the checks `read()` makes on its opening
    /// bytes, NDJSON not one record (or one envelope) per line, with no line near a cut that
    /// starts as the first line does (an envelope of its kind, or a record that is no envelope),
    /// an array with no element at the start of a line after a comma (``arrayCuts``), or CSV that
    /// `read()` would not recognise or with no row start found near a cut (``csvCuts``).
    /// `size`, the file's size on disk when the caller knows it, spares opening a small file.
    func partPlan(parts: Int, size: Int = .max) -> FilePartPlan? {
        guard parts > 1, size >= limits.splitFilesFrom, limits.maxRecordsPerFile == ReadLimits().maxRecordsPerFile else { return nil }
        guard !InputBytes.needsDecoding(path: path), let input = try? InputBytes.open(path: path), input.isMapped,
              input.byteCount >= limits.splitFilesFrom else { return nil }
        let plan: (starts: [Int], layout: FilePartPlan.Layout)? = input.withBytes { bytes in
            // A file `read()` refuses on its opening is read whole, and refused.
            guard let (start, firstLineEnd, refusal) = opening(bytes, textStart: input.textStart), refusal == nil else { return nil }
            if bytes[start] == UInt8(ascii: "[") {
                return Self.arrayCuts(bytes, opening: start, parts: parts).map { ($0, .array) }
            }
            guard bytes[start] == UInt8(ascii: "{") else {
                guard !firstLineIsJSONScalar(bytes, from: start, to: firstLineEnd),
                      case .success(let heading) = Self.csvHeading(bytes, start: input.textStart, limits: limits) else { return nil }
                return csvCuts(bytes, heading: heading, opening: input.textStart, parts: parts).map { ($0, .csv(heading)) }
            }
            guard Self.startsOneLineRecords(bytes, at: start) else { return nil }
            // Records a line, or envelopes a line: each cut at a line that starts the same.
            let reader = JSONRecordReader(bytes: bytes, limits: limits)
            let envelope = reader.envelopeKind(at: start)
            var cuts = [start]
            for part in 1..<parts {
                let target = start + (bytes.count - start) / parts * part
                guard let cut = Self.recordLineStart(bytes, atOrAfter: max(target, cuts.last! + 1)),
                      Self.startsOneLineRecords(bytes, at: cut), reader.envelopeKind(at: cut) == envelope else { continue }
                cuts.append(cut)
            }
            return cuts.count > 1 ? (cuts, envelope.map { .envelopes($0) } ?? .ndjson) : nil
        }
        guard let plan else { return nil }
        return FilePartPlan(input: input, starts: plan.starts, end: input.byteCount, layout: plan.layout)
    }

    /// Where a CSV file whose text starts at `opening` is cut into `parts`: the first part at
    /// the opening, each other at a line start after the header from which one row of the
    /// header's width reads to a line end (``csvRowLineStart``). A line inside a quoted cell can
    /// look like that; such a cut is found when the part before it is read, as it then ends
    /// inside the quoted cell (``FileReadOutcome/partMisaligned``). Nil when no cut is found.
    private func csvCuts(_ bytes: UnsafeBufferPointer<UInt8>, heading: CSVHeading, opening: Int, parts: Int) -> [Int]? {
        var cuts = [opening]
        for part in 1..<parts {
            let target = opening + (bytes.count - opening) / parts * part
            guard let cut = csvRowLineStart(bytes, atOrAfter: max(target, heading.rowsStart + 1, cuts.last! + 1), heading: heading) else { continue }
            cuts.append(cut)
        }
        return cuts.count > 1 ? cuts : nil
    }

    /// The first of the next 32 line starts at or after `offset` (within 1 MB) from which a row
    /// reads, as the reader reads from a row start, with as many cells as the header and ends
    /// at a line feed.
    private func csvRowLineStart(_ bytes: UnsafeBufferPointer<UInt8>, atOrAfter offset: Int, heading: CSVHeading) -> Int? {
        guard offset > 0, offset < bytes.count else { return nil }
        let bound = min(bytes.count, offset + (1 << 20))
        let window = UnsafeBufferPointer(rebasing: bytes[0..<bound])
        var candidate = bytes[offset - 1] == 0x0A ? offset : (memchrOffset(bytes, 0x0A, from: offset, to: bound).map { $0 + 1 } ?? bound)
        var tried = 0
        while candidate < bound, tried < 32 {
            tried += 1
            var reader = CSVReader(bytes: window, start: candidate, separator: heading.separator, maxCellBytes: limits.maxCSVCellBytes)
            if bytes[candidate] != 0x0A, bytes[candidate] != 0x0D, case .success(let row)? = reader.next(),
               row.cells.count == heading.header.count, bytes[reader.position - 1] == 0x0A {
                return candidate
            }
            guard let newline = memchrOffset(bytes, 0x0A, from: candidate, to: bound) else { return nil }
            candidate = newline + 1
        }
        return nil
    }

    /// Where a top-level array whose `[` is at `opening` is cut into `parts`: the first part
    /// starts at the `[`, each other at the start of a line whose element starts at the
    /// indentation of the array's first element on a line of its own (0 when the first shares
    /// the `[`'s line), after a comma. (A part starts at a line start, so its lines and columns
    /// count as in the whole file.) Nested arrays of objects in a pretty-printed element sit deeper, so their
    /// objects are not taken for elements; a cut that still lands inside an element is found
    /// when the part before it is read (``FileReadOutcome/partMisaligned``). Nil when no cut is
    /// found (an array on one line, or elements longer than 1 MB).
    private static func arrayCuts(_ bytes: UnsafeBufferPointer<UInt8>, opening: Int, parts: Int) -> [Int]? {
        var first = opening + 1
        while first < bytes.count, isJSONWhitespace(bytes[first]) { first += 1 }
        guard first < bytes.count, bytes[first] == UInt8(ascii: "{") else { return nil }
        var lineStart = first
        while lineStart > opening + 1, bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
        let ownLine = lineStart > opening + 1
        let indent = ownLine ? first - lineStart : 0
        var cuts = [opening]
        for part in 1..<parts {
            let target = opening + (bytes.count - opening) / parts * part
            guard let cut = elementLineStart(bytes, atOrAfter: max(target, cuts.last! + 1), indent: indent) else { continue }
            cuts.append(cut)
        }
        return cuts.count > 1 ? cuts : nil
    }

    /// The start of the first line after `offset`, within 1 MB, that holds `indent` bytes of
    /// spaces or tabs and then a `{`, and follows a comma (whitespace between).
    private static func elementLineStart(_ bytes: UnsafeBufferPointer<UInt8>, atOrAfter offset: Int, indent: Int) -> Int? {
        guard offset > 0, offset < bytes.count else { return nil }
        let bound = min(bytes.count, offset + (1 << 20))
        var from = offset
        while let newline = memchrOffset(bytes, 0x0A, from: from, to: bound) {
            let brace = newline + 1 + indent
            from = newline + 1
            guard brace < bytes.count, bytes[brace] == UInt8(ascii: "{"),
                  bytes[(newline + 1)..<brace].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { continue }
            var before = newline
            while before > 0, isJSONWhitespace(bytes[before]) { before -= 1 }
            if bytes[before] == UInt8(ascii: ",") { return newline + 1 }
        }
        return nil
    }

    /// The first line start at or after `offset` whose first byte opens an object, looked for
    /// within 1 MB (a file whose lines are longer is read whole).
    static func recordLineStart(_ bytes: UnsafeBufferPointer<UInt8>, atOrAfter offset: Int) -> Int? {
        guard offset > 0, offset < bytes.count else { return nil }
        if bytes[offset - 1] == 0x0A, bytes[offset] == UInt8(ascii: "{") { return offset }
        let bound = min(bytes.count, offset + (1 << 20))
        var from = offset
        while let newline = memchrOffset(bytes, 0x0A, from: from, to: bound) {
            let next = newline + 1
            if next < bytes.count, bytes[next] == UInt8(ascii: "{") { return next }
            from = next
        }
        return nil
    }

    /// Whether the lines from `start` (up to ``linesCheckedBeforeSplitting`` of them, or to the
    /// end) each start with `{` and end with `}`: one record per line.
    static func startsOneLineRecords(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        var lineStart = start
        var lines = 0
        while lineStart < bytes.count, lines < linesCheckedBeforeSplitting {
            let newline = memchrOffset(bytes, 0x0A, from: lineStart, to: bytes.count)
            var last = (newline ?? bytes.count) - 1
            while last > lineStart, bytes[last] == 0x0D || bytes[last] == 0x20 || bytes[last] == 0x09 { last -= 1 }
            guard bytes[lineStart] == UInt8(ascii: "{"), bytes[last] == UInt8(ascii: "}") else { return false }
            lines += 1
            guard let newline else { break }
            lineStart = newline + 1
        }
        return lines > 0
    }

    /// Reads one part of a planned file: its records and lines numbered from 1 within the part
    /// (``joined(_:limits:)`` numbers them on), without touching the bytes before the part.
    func readPart(_ plan: FilePartPlan, _ part: Int) -> FileReadOutcome {
        var outcome = FileReadOutcome()
        if part == 0 { outcome.remarks.append(contentsOf: plan.input.encodingNotes) }
        let range = plan.range(of: part)
        let last = part == plan.starts.count - 1
        plan.input.withBytes { bytes in
            let upToCut = UnsafeBufferPointer(rebasing: bytes[0..<range.upperBound])
            let progress = Self.pageReleaser(plan.input, from: range.lowerBound)
            switch plan.layout {
            case .csv(let heading):
                outcome.format = "csv"
                readCSV(upToCut, start: range.lowerBound, into: &outcome, progress: progress, part: (part, last, heading))
            case .ndjson, .array, .envelopes:
                outcome.format = "json"
                readJSON(upToCut, start: range.lowerBound, into: &outcome, progress: progress, part: (part, last, plan.layout))
            }
        }
        outcome.interner = TextInterner()
        return outcome
    }

    /// Whether the parts of a file must be thrown away and the file read whole: a part other
    /// than the last ended in a record the parser could not read (its recovery might have looked
    /// past the cut), a part may not read as the whole file does from its start
    /// (``FileReadOutcome/partMisaligned``: an array part not ended at its cut, a CSV part ended
    /// inside a quoted cell, …), the first record said the file is not an export, the first part
    /// read no record, or the file holds more records than the per-file limit. Otherwise the
    /// joined parts are what a whole read gives.
    static func partsNeedWholeRead(_ parts: [FileReadOutcome], limits: ReadLimits) -> Bool {
        parts.dropLast().contains { $0.parseFailures > 0 } || parts.contains { $0.unrecognised != nil || $0.partMisaligned }
            || parts.reduce(0) { $0 + $1.read } > limits.maxRecordsPerFile
            // The file's first record is asked whether it is a simulator's truth.json, which only
            // the first part asks: a first part of empty envelopes leaves it to a later part.
            || parts.first?.read == 0
    }

    /// The parts of one file as if it had been read whole: records and lines numbered on from
    /// part to part, counts summed, the first rejections listed up to the limit, remarks in order.
    /// The parts are moved out of `taken` (left empty), so each event is changed in place.
    static func joined(_ taken: inout [FileReadOutcome], limits: ReadLimits) -> FileReadOutcome {
        var parts: [FileReadOutcome] = []
        swap(&parts, &taken)
        guard parts.count > 1 else { return parts.first ?? FileReadOutcome() }
        var whole = parts[0]
        parts[0] = FileReadOutcome()
        whole.reserveCapacity(parts.reduce(whole.events.count) { $0 + $1.events.count })
        for index in parts.indices.dropFirst() {
            let offset = whole.read
            let lines = whole.lineFeeds
            whole.append(eventsOf: &parts[index], records: Int32(clamping: offset), lines: Int32(clamping: lines))
            let part = parts[index]
            for var rejection in part.rejections where whole.rejections.count < limits.maxListedRejections {
                rejection.record += offset
                rejection.line += lines
                whole.rejections.append(rejection)
            }
            whole.lineFeeds += part.lineFeeds
            whole.parseFailures += part.parseFailures
            whole.read += part.read
            whole.rejected += part.rejected
            whole.rejectionsByReason.merge(part.rejectionsByReason, uniquingKeysWith: +)
            assert(part.remarks.isEmpty, "a later part's remarks are its reader's, at lines of its own")
            whole.remarks.append(contentsOf: part.lineRemarks.map { LineRemark(line: $0.line + lines, text: $0.text).description })
        }
        return whole
    }
}
