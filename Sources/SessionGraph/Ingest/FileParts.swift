/// Where a large NDJSON file is cut so that its parts are read on every core: each part starts
/// at the beginning of a line that starts a record, so no record is split, and the parts are
/// joined in file order (record and line numbers continued), which gives the events and the
/// account of reading the file whole. Where that could differ (a record the parser could not
/// read before a cut, a file past the record limit), the file is read again whole
/// (``FileReader/partsNeedWholeRead(_:limits:)``).
struct FilePartPlan: @unchecked Sendable {
    let input: InputBytes
    /// Start offset of each part; a part ends where the next starts (the last at the end).
    let starts: [Int]
    let end: Int

    func range(of part: Int) -> Range<Int> {
        starts[part]..<(part + 1 < starts.count ? starts[part + 1] : end)
    }
}

extension FileReader {
    /// How many leading lines must each hold one whole record for a file to be cut into parts.
    static let linesCheckedBeforeSplitting = 16

    /// A plan to read the file in `parts` parts, or nil when it is read whole: smaller than the
    /// limit, compressed or transcoded, not one record per line, or an envelope at a cut.
    /// `size`, the file's size on disk when the caller knows it, spares opening a small file.
    func partPlan(parts: Int, size: Int = .max) -> FilePartPlan? {
        guard parts > 1, size >= limits.splitFilesFrom, limits.maxRecordsPerFile == ReadLimits().maxRecordsPerFile else { return nil }
        guard !InputBytes.needsDecoding(path: path), let input = try? InputBytes.open(path: path), input.isMapped,
              input.byteCount >= limits.splitFilesFrom else { return nil }
        let starts: [Int]? = input.withBytes { bytes in
            var start = input.textStart
            while start < bytes.count, isJSONWhitespace(bytes[start]) { start += 1 }
            guard start < bytes.count, bytes[start] == UInt8(ascii: "{"), Self.startsOneLineRecords(bytes, at: start) else { return nil }
            // The checks `read()` makes on the first line before reading a file as JSON.
            let firstLineEnd = memchrOffset(bytes, 0x0A, from: start, to: min(bytes.count, start + 4096)) ?? min(bytes.count, start + 4096)
            guard !looksBinary(bytes, from: start, to: firstLineEnd) else { return nil }
            let reader = JSONRecordReader(bytes: bytes, limits: limits)
            guard reader.envelopeKind(at: start) == nil else { return nil }
            var cuts = [start]
            for part in 1..<parts {
                let target = start + (bytes.count - start) / parts * part
                guard let cut = Self.recordLineStart(bytes, atOrAfter: max(target, cuts.last! + 1)),
                      Self.startsOneLineRecords(bytes, at: cut), reader.envelopeKind(at: cut) == nil else { continue }
                cuts.append(cut)
            }
            return cuts.count > 1 ? cuts : nil
        }
        guard let starts else { return nil }
        return FilePartPlan(input: input, starts: starts, end: input.byteCount)
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
        outcome.format = "json"
        if part == 0 { outcome.remarks.append(contentsOf: plan.input.encodingNotes) }
        let range = plan.range(of: part)
        plan.input.withBytes { bytes in
            readJSON(UnsafeBufferPointer(rebasing: bytes[0..<range.upperBound]), start: range.lowerBound, into: &outcome,
                     progress: Self.pageReleaser(plan.input, from: range.lowerBound), part: part)
        }
        outcome.interner = TextInterner()
        return outcome
    }

    /// Whether the parts of a file must be thrown away and the file read whole: a part other
    /// than the last ended in a record the parser could not read (its recovery might have looked
    /// past the cut), the first record said the file is not an export, or the file holds more
    /// records than the per-file limit. Otherwise the joined parts are what a whole read gives.
    static func partsNeedWholeRead(_ parts: [FileReadOutcome], limits: ReadLimits) -> Bool {
        parts.dropLast().contains { $0.parseFailures > 0 } || parts.contains { $0.unrecognised != nil }
            || parts.reduce(0) { $0 + $1.read } > limits.maxRecordsPerFile
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
            whole.remarks.append(contentsOf: part.remarks)
        }
        return whole
    }
}
