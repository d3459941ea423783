/// One CSV record: its cells and the line it starts on.
struct CSVRow {
    var cells: [String]
    var line: Int
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

    var atEnd: Bool { position >= bytes.count }

    /// Reads the next record. Blank lines are skipped. Returns nil at the end of input.
    mutating func next() -> Result<CSVRow, CSVRecordError>? {
        // Skip blank lines between records.
        while position < bytes.count, bytes[position] == 0x0A || bytes[position] == 0x0D {
            if bytes[position] == 0x0A { line += 1 }
            position += 1
        }
        guard position < bytes.count else { return nil }
        let startLine = line
        var cells: [String] = []
        var cell: [UInt8] = []
        var oversized = false
        while true {
            // Start of a cell.
            cell.removeAll(keepingCapacity: true)
            if position < bytes.count, bytes[position] == UInt8(ascii: "\"") {
                let quoteLine = line
                position += 1
                var closed = false
                while position < bytes.count {
                    let b = bytes[position]
                    if b == UInt8(ascii: "\"") {
                        if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "\"") {
                            cell.append(b)
                            position += 2
                            continue
                        }
                        position += 1
                        closed = true
                        break
                    }
                    if b == 0x0A { line += 1 }
                    cell.append(b)
                    position += 1
                    if cell.count > maxCellBytes {
                        oversized = true
                        cell.removeAll(keepingCapacity: false)
                    }
                }
                if !closed {
                    return .failure(CSVRecordError(line: quoteLine, message: "unbalanced quote: the quoted cell opened here never closes (expected a closing '\"' before the end of the file)"))
                }
                // Text after the closing quote up to the separator is kept (lenient).
                while position < bytes.count, bytes[position] != separator, bytes[position] != 0x0A, bytes[position] != 0x0D {
                    cell.append(bytes[position])
                    position += 1
                }
            } else {
                while position < bytes.count {
                    let b = bytes[position]
                    if b == separator || b == 0x0A || b == 0x0D { break }
                    cell.append(b)
                    position += 1
                    if cell.count > maxCellBytes {
                        oversized = true
                        cell.removeAll(keepingCapacity: false)
                    }
                }
            }
            cells.append(String(decoding: cell, as: UTF8.self))
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
        return .success(CSVRow(cells: cells, line: startLine))
    }
}
