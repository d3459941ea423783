import Foundation

/// Builds one JSON object as text with members in a fixed order (stable output for diffing
/// and for jq), escaping every string so that log text cannot break the structure. Members
/// whose value is `nil` are written as `null` only when `includeNulls` is set.
///
/// The object grows as UTF-8 bytes and becomes a string once, in ``finish()``: a run writes
/// tens of thousands of findings and sessions, and growing a `String` piece by piece was most of
/// the output stage's time.
struct JSONObjectWriter {
    private var bytes: [UInt8]
    private var first = true
    let includeNulls: Bool

    init(includeNulls: Bool = false) {
        self.includeNulls = includeNulls
        bytes = [UInt8(ascii: "{")]
        bytes.reserveCapacity(256)
    }

    /// A member's key: always one of the program's own names, never log text.
    private mutating func key(_ name: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: name.utf8)
        literal("\":")
    }

    private mutating func literal(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func null(_ name: String) {
        if includeNulls { key(name); literal("null") }
    }

    mutating func string(_ name: String, _ value: String?) {
        guard let value else { return null(name) }
        key(name)
        appendJSONString(value, to: &bytes)
    }

    mutating func int(_ name: String, _ value: Int?) {
        guard let value else { return null(name) }
        key(name)
        appendDecimal(value, to: &bytes)
    }

    mutating func double(_ name: String, _ value: Double?) {
        guard let value, value.isFinite else { return null(name) }
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func bool(_ name: String, _ value: Bool?) {
        guard let value else { return null(name) }
        key(name)
        literal(value ? "true" : "false")
    }

    /// A list of strings; an empty list is left out unless `keepEmpty` or `includeNulls` is set.
    mutating func strings(_ name: String, _ values: [String], keepEmpty: Bool = false) {
        guard !values.isEmpty else {
            if includeNulls || keepEmpty { key(name); literal("[]") }
            return
        }
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            appendJSONString(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An array of objects, each built by `item` in a writer of its own, written even when empty.
    mutating func objects<Items: Sequence>(_ name: String, _ items: Items, _ item: (Items.Element, inout JSONObjectWriter) -> Void) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        var firstItem = true
        for element in items {
            if !firstItem { bytes.append(UInt8(ascii: ",")) }
            firstItem = false
            // The item is written in place: this writer's buffer is handed to the item's writer
            // and back, never shared, so no item copies what was written before it.
            var writer = JSONObjectWriter(taking: &bytes, includeNulls: includeNulls)
            item(element, &writer)
            swap(&bytes, &writer.bytes)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An object that continues the text in `bytes`, taking the buffer (`bytes` is left empty).
    private init(taking bytes: inout [UInt8], includeNulls: Bool) {
        self.bytes = []
        swap(&self.bytes, &bytes)
        self.bytes.append(UInt8(ascii: "{"))
        self.includeNulls = includeNulls
    }

    mutating func finish() -> String {
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Appends `value` as a JSON string literal: quotes, backslashes and every control character
/// are escaped; U+2028/U+2029 too, so the line is safe to embed in JavaScript as well.
func appendJSONString(_ value: String, to text: inout String) {
    var bytes: [UInt8] = []
    appendJSONString(value, to: &bytes)
    text += String(decoding: bytes, as: UTF8.self)
}

/// ``appendJSONString(_:to:)-(_,String)`` on UTF-8 bytes. Runs of bytes that need nothing are
/// appended whole, between the escapes (a run ends only at an ASCII byte or at U+2028/U+2029,
/// so each is whole characters).
func appendJSONString(_ value: String, to bytes: inout [UInt8]) {
    let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
    bytes.append(quote)
    value.withUTF8Bytes { source in
        let count = source.count
        var runStart = 0
        var index = 0
        func flush(upTo end: Int) {
            if end > runStart { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<end])) }
        }
        while index < count {
            let unit = source[index]
            if unit >= 0x20 && unit != quote && unit != backslash && unit != 0xE2 {
                index += 1
                continue
            }
            switch unit {
            case quote, backslash:
                flush(upTo: index)
                bytes.append(backslash)
                bytes.append(unit)
            case UInt8(ascii: "\n"): flush(upTo: index); bytes.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): flush(upTo: index); bytes.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): flush(upTo: index); bytes.append(contentsOf: #"\t"#.utf8)
            case 0x00..<0x20:
                flush(upTo: index)
                let digits: StaticString = "0123456789abcdef"
                bytes.append(contentsOf: #"\u00"#.utf8)
                bytes.append(digits.utf8Start[Int(unit >> 4)])
                bytes.append(digits.utf8Start[Int(unit & 0xF)])
            default:
                // 0xE2: U+2028 and U+2029 are E2 80 A8 and E2 80 A9; any other E2 sequence stays.
                guard index + 2 < count, source[index + 1] == 0x80, source[index + 2] == 0xA8 || source[index + 2] == 0xA9 else {
                    index += 1
                    continue
                }
                flush(upTo: index)
                bytes.append(contentsOf: (source[index + 2] == 0xA8 ? #"\u2028"# : #"\u2029"#).utf8)
                index += 3
                runStart = index
                continue
            }
            index += 1
            runStart = index
        }
        flush(upTo: count)
    }
    bytes.append(quote)
}

/// A JSON document whose top-level members each start a line and whose arrays hold one item per
/// line (`findings.json`, `sessions.json`): readable, diffable, and written without building a
/// tree. Members are written in the order given (callers give them sorted). The document goes to
/// any text stream: a string, or a file (``FileTextStream``) so that a large run's documents are
/// never whole in memory.
struct JSONDocumentWriter<Target: TextOutputStream> {
    private(set) var target: Target
    private var first = true
    private var linesWritten = 0

    init(into target: Target) {
        self.target = target
        self.target.write("{")
    }

    private mutating func key(_ name: String) {
        target.write(first ? "\n  \"" : ",\n  \"")
        first = false
        target.write(name)
        target.write("\" : ")
    }

    /// A member holding already-encoded JSON.
    mutating func member(_ name: String, _ json: String) {
        key(name)
        target.write(json)
    }

    /// A member holding an array of already-encoded JSON values, one per line.
    mutating func lines(_ name: String, _ items: [String]) {
        openLines(name)
        for item in items { line(item) }
        closeLines()
    }

    /// Opens a member holding an array of already-encoded JSON values, one per line, which
    /// ``line(_:)`` adds and ``closeLines()`` ends (so a long array need not be whole in memory).
    mutating func openLines(_ name: String) {
        key(name)
        target.write("[")
        linesWritten = 0
    }

    mutating func line(_ item: String) {
        target.write(linesWritten == 0 ? "\n    " : ",\n    ")
        target.write(item)
        linesWritten += 1
    }

    mutating func closeLines() {
        target.write(linesWritten == 0 ? "]" : "\n  ]")
    }

    mutating func finish() -> Target {
        target.write("\n}")
        return target
    }
}


/// `value` as a JSON string literal (see ``appendJSONString(_:to:)``).
func jsonString(_ value: String) -> String {
    var text = ""
    appendJSONString(value, to: &text)
    return text
}

/// Each item's encoded line, in order, a chunk of items at a time, each chunk encoded on every
/// core: a document of hundreds of megabytes of lines is never whole in memory.
func forEachEncodedChunk<Item: Sendable>(_ items: [Item], _ encode: @escaping @Sendable (Item) -> String, chunkSize: Int = 4096, _ body: ([String]) -> Void) {
    for start in stride(from: 0, to: items.count, by: chunkSize) {
        let chunk = items[start..<min(items.count, start + chunkSize)]
        let parts = parallelChunks(count: chunk.count, chunkSize: 512) { range in
            chunk[(chunk.startIndex + range.lowerBound)..<(chunk.startIndex + range.upperBound)].map(encode)
        }
        for part in parts { body(part) }
    }
}
