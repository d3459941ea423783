/// JSON's whitespace (space, tab, line feed, carriage return): what the parsers step over
/// between tokens, and what identifiers and field values are trimmed of.
@inline(__always)
func isJSONWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
}

extension String {
    /// The string without leading and trailing JSON whitespace; itself, uncopied, when it has none.
    func trimmingASCIIWhitespace() -> String {
        // Most values have nothing to trim: answer without copying.
        guard let first = utf8.first, let last = utf8.last, isJSONWhitespace(first) || isJSONWhitespace(last) else { return self }
        let bytes = Array(utf8)
        var start = 0
        var end = bytes.count
        while start < end, isJSONWhitespace(bytes[start]) { start += 1 }
        while end > start, isJSONWhitespace(bytes[end - 1]) { end -= 1 }
        if start == 0 && end == bytes.count { return self }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
