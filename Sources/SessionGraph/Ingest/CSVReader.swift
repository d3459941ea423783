/// One CSV record: its cells and the line it starts on. A cell is the bytes of its text: the
/// input's own (an unquoted cell, or a quoted one with no doubled quote and nothing after its
/// closing quote), or the reader's (a quoted cell with its doubled quotes made one), which last
/// until the reader's next row. No string is made of a cell no mapper reads.
struct CSVRow {
    var cells: [UnsafeBufferPointer<UInt8>]
    var line: Int

    /// The cells as strings (invalid UTF-8 repaired).
    var strings: [String] { cells.map { String(decoding: $0, as: UTF8.self) } }
}

/// Where a reader puts the text of a row's quoted cells that differ from their bytes in the
/// input (a doubled quote made one, text after the closing quote added): blocks kept until the
/// reader's next row, so every cell of a row stays where it was put.
final class CSVCellBytes {
    private var block: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var used = 0
    /// Blocks outgrown during the current row: earlier cells of the row point into them.
    private var outgrown: [UnsafeMutablePointer<UInt8>] = []

    init() {
        capacity = 1 << 14
        block = .allocate(capacity: capacity)
    }

    deinit {
        block.deallocate()
        outgrown.forEach { $0.deallocate() }
    }

    /// Makes the room free again for a new row (a block grown past a megabyte for one large
    /// cell is given back).
    func startRow() {
        used = 0
        outgrown.forEach { $0.deallocate() }
        outgrown.removeAll(keepingCapacity: true)
        if capacity > 1 << 20 {
            block.deallocate()
            capacity = 1 << 14
            block = .allocate(capacity: capacity)
        }
    }

    /// `count` bytes of room, written by `fill`.
    func take(_ count: Int, _ fill: (UnsafeMutablePointer<UInt8>) -> Void) -> UnsafeBufferPointer<UInt8> {
        if used + count > capacity {
            outgrown.append(block)
            capacity = max(capacity * 2, count)
            block = .allocate(capacity: capacity)
            used = 0
        }
        let start = block + used
        fill(start)
        used += count
        return UnsafeBufferPointer(start: start, count: count)
    }
}

/// A failure inside one CSV record.
struct CSVRecordError: Error {
    var line: Int
    var message: String
}

/// A streaming RFC 4180 reader over bytes: quoted cells may hold separators, doubled quotes and
/// newlines (Log Analytics and Purview put pretty-printed JSON in one cell), so records are read
/// by quote state, never by line. CRLF and LF are both accepted.
struct CSVReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    var line = 1
    let separator: UInt8
    let maxCellBytes: Int
    /// Set when the input ended inside a quoted cell (a file cut inside a record, or a quote
    /// that never closes).
    private(set) var endedInQuote = false
    /// The current row's unescaped quoted cells.
    private let cellBytes = CSVCellBytes()
    /// The current row's cells (kept, so that a row's array is reused when the caller has let
    /// the last one go).
    private var rowCells: [UnsafeBufferPointer<UInt8>] = []

    init(bytes: UnsafeBufferPointer<UInt8>, start: Int, separator: UInt8 = UInt8(ascii: ","), maxCellBytes: Int = 16 << 20) {
        self.bytes = bytes
        self.position = start
        self.separator = separator
        self.maxCellBytes = maxCellBytes
    }

    /// Guesses the separator from the first line: tab when it has tabs and no commas.
    static func detectSeparator(_ bytes: UnsafeBufferPointer<UInt8>, start: Int) -> UInt8 {
        var commas = 0, tabs = 0, semicolons = 0
        var i = start
        var quoted = false
        while i < bytes.count, i < start + 65_536 {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { quoted.toggle() }
            if !quoted {
                if b == 0x0A { break }
                if b == UInt8(ascii: ",") { commas += 1 }
                if b == 0x09 { tabs += 1 }
                if b == UInt8(ascii: ";") { semicolons += 1 }
            }
            i += 1
        }
        if tabs > commas && tabs >= semicolons { return 0x09 }
        if semicolons > commas { return UInt8(ascii: ";") }
        return UInt8(ascii: ",")
    }

    /// Reads the next record. Blank lines are skipped. Returns nil at the end of input.
    ///
    /// A cell is scanned, not copied byte by byte: an unquoted cell is its bytes in the input,
    /// and a quoted one is measured first (its closing quote found with `memchr`, its doubled
    /// quotes counted; a Purview `AuditData` cell doubles the quote around every JSON key and
    /// value), then is its bytes in the input when it has no doubled quote, or else is copied,
    /// run by run between its quotes, into the reader's bytes for the row (``CSVRow``).
    mutating func next() -> Result<CSVRow, CSVRecordError>? {
        // Skip blank lines between records.
        while position < bytes.count, bytes[position] == 0x0A || bytes[position] == 0x0D {
            if bytes[position] == 0x0A { line += 1 }
            position += 1
        }
        guard position < bytes.count else { return nil }
        let startLine = line
        cellBytes.startRow()
        rowCells.removeAll(keepingCapacity: true)
        var oversized = false
        while true {
            // Start of a cell.
            if position < bytes.count, bytes[position] == UInt8(ascii: "\"") {
                let quoteLine = line
                let textStart = position + 1
                guard let (closing, doubled) = closingQuote(after: textStart) else {
                    endedInQuote = true
                    return .failure(CSVRecordError(line: quoteLine, message: "unbalanced quote: the quoted cell opened here never closes (expected a closing '\"' before the end of the file)"))
                }
                // Text after the closing quote up to the separator is kept (lenient).
                position = closing + 1
                let rest = position
                while position < bytes.count, bytes[position] != separator, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
                let length = closing - textStart - doubled + position - rest
                if length > maxCellBytes { oversized = true }
                rowCells.append(oversized ? Self.empty
                                : doubled == 0 && rest == position ? UnsafeBufferPointer(rebasing: bytes[textStart..<closing])
                                : quotedCell(textStart..<closing, length: length, then: rest..<position))
            } else {
                let start = position
                while position < bytes.count {
                    let b = bytes[position]
                    if b == separator || b == 0x0A || b == 0x0D { break }
                    position += 1
                }
                if position - start > maxCellBytes { oversized = true }
                rowCells.append(oversized ? Self.empty : UnsafeBufferPointer(rebasing: bytes[start..<position]))
            }
            // End of cell.
            if position >= bytes.count { break }
            let b = bytes[position]
            if b == separator {
                position += 1
                continue
            }
            if b == 0x0D { position += 1 }
            if position < bytes.count, bytes[position] == 0x0A {
                position += 1
                line += 1
            }
            break
        }
        if oversized {
            return .failure(CSVRecordError(line: startLine, message: "a cell is larger than \(maxCellBytes) bytes (limit --max-csv-cell-bytes)"))
        }
        return .success(CSVRow(cells: rowCells, line: startLine))
    }

    /// The closing quote of a quoted cell whose text starts at `start` (just after its opening
    /// quote), and how many doubled quotes the text holds (each one quote), counting the lines
    /// the text spans; nil, with every line to the end counted, when the input ends first.
    private mutating func closingQuote(after start: Int) -> (closing: Int, doubled: Int)? {
        var from = start, doubled = 0
        while let quote = memchrOffset(bytes, UInt8(ascii: "\""), from: from, to: bytes.count) {
            if quote + 1 < bytes.count, bytes[quote + 1] == UInt8(ascii: "\"") {
                doubled += 1
                from = quote + 2
                continue
            }
            line += newlines(from: start, to: quote)
            return (quote, doubled)
        }
        line += newlines(from: start, to: bytes.count)
        position = bytes.count
        return nil
    }

    /// A cell of no bytes (one over the limit is given as empty, and the row refused).
    private static var empty: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: nil, count: 0) }

    /// A quoted cell's text (`text`, each doubled quote in it made one) followed by the text
    /// after its closing quote (`trailing`): `length` bytes in all, copied run by run into the
    /// row's bytes.
    private func quotedCell(_ text: Range<Int>, length: Int, then trailing: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        guard let base = bytes.baseAddress else { return Self.empty }
        return cellBytes.take(length) { out in
            var written = 0, from = text.lowerBound
            func copy(_ run: Range<Int>) {
                guard !run.isEmpty else { return }
                (out + written).initialize(from: base + run.lowerBound, count: run.count)
                written += run.count
            }
            while from < text.upperBound {
                let quote = memchrOffset(bytes, UInt8(ascii: "\""), from: from, to: text.upperBound) ?? text.upperBound
                // Up to and with the first quote of a doubled pair; the second is skipped.
                copy(from..<min(quote + 1, text.upperBound))
                from = quote + 2
            }
            copy(trailing)
        }
    }

    /// How many line feeds the bytes from `start` to `end` hold.
    private func newlines(from start: Int, to end: Int) -> Int {
        var count = 0, at = start
        while let found = memchrOffset(bytes, 0x0A, from: at, to: end) {
            count += 1
            at = found + 1
        }
        return count
    }
}
