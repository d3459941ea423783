import Foundation

/// Builds one JSON object as text with members in a fixed order (stable output for diffing
/// and for jq), escaping every string so that log text cannot break the structure. Members
/// whose value is `nil` are written as `null` only when `includeNulls` is set.
struct JSONObjectWriter {
    private(set) var text = "{"
    private var first = true
    let includeNulls: Bool

    init(includeNulls: Bool = false) { self.includeNulls = includeNulls }

    private mutating func key(_ name: String) {
        if !first { text += "," }
        first = false
        text += "\""
        text += name
        text += "\":"
    }

    mutating func string(_ name: String, _ value: String?) {
        guard let value else {
            if includeNulls { key(name); text += "null" }
            return
        }
        key(name)
        appendJSONString(value, to: &text)
    }

    mutating func int(_ name: String, _ value: Int?) {
        guard let value else {
            if includeNulls { key(name); text += "null" }
            return
        }
        key(name)
        text += String(value)
    }

    mutating func double(_ name: String, _ value: Double?) {
        guard let value, value.isFinite else {
            if includeNulls { key(name); text += "null" }
            return
        }
        key(name)
        text += String(value)
    }

    mutating func bool(_ name: String, _ value: Bool?) {
        guard let value else {
            if includeNulls { key(name); text += "null" }
            return
        }
        key(name)
        text += value ? "true" : "false"
    }

    /// A list of strings; an empty list is left out unless `keepEmpty` or `includeNulls` is set.
    mutating func strings(_ name: String, _ values: [String], keepEmpty: Bool = false) {
        guard !values.isEmpty else {
            if includeNulls || keepEmpty { key(name); text += "[]" }
            return
        }
        key(name)
        text += "["
        for (index, value) in values.enumerated() {
            if index > 0 { text += "," }
            appendJSONString(value, to: &text)
        }
        text += "]"
    }

    /// An array of already-encoded JSON values, written even when empty.
    mutating func array(_ name: String, _ items: [String]) {
        key(name)
        text += "["
        text += items.joined(separator: ",")
        text += "]"
    }

    mutating func finish() -> String {
        text += "}"
        return text
    }
}

/// Appends `value` as a JSON string literal: quotes, backslashes and every control character
/// are escaped; U+2028/U+2029 too, so the line is safe to embed in JavaScript as well.
func appendJSONString(_ value: String, to text: inout String) {
    text += "\""
    var needsEscape = false
    for unit in value.utf8 where unit < 0x20 || unit == 0x22 || unit == 0x5C || unit == 0xE2 {
        needsEscape = true
        break
    }
    if !needsEscape {
        text += value
        text += "\""
        return
    }
    // Runs of bytes that need nothing are appended whole, between the escapes (a run ends only
    // at an ASCII byte or at U+2028/U+2029, so each is whole characters).
    let utf8 = value.utf8
    var runStart = utf8.startIndex
    var index = utf8.startIndex
    while index != utf8.endIndex {
        let unit = utf8[index]
        var escape: String?
        var width = 1
        switch unit {
        case 0x22: escape = "\\\""
        case 0x5C: escape = "\\\\"
        case 0x0A: escape = "\\n"
        case 0x0D: escape = "\\r"
        case 0x09: escape = "\\t"
        case 0x00..<0x20:
            let digits = Array("0123456789abcdef")
            escape = "\\u00\(digits[Int(unit >> 4)])\(digits[Int(unit & 0xF)])"
        case 0xE2:
            let second = utf8.index(after: index)
            if second != utf8.endIndex, utf8[second] == 0x80 {
                let third = utf8.index(after: second)
                if third != utf8.endIndex, utf8[third] == 0xA8 || utf8[third] == 0xA9 {
                    escape = utf8[third] == 0xA8 ? "\\u2028" : "\\u2029"
                    width = 3
                }
            }
        default:
            break
        }
        if let escape {
            text += value[runStart..<index]
            text += escape
            index = utf8.index(index, offsetBy: width)
            runStart = index
        } else {
            index = utf8.index(after: index)
        }
    }
    text += value[runStart..<utf8.endIndex]
    text += "\""
}

/// A JSON document whose top-level members each start a line and whose arrays hold one item per
/// line (`findings.json`, `sessions.json`): readable, diffable, and written without building a
/// tree. Members are written in the order given (callers give them sorted). The document goes to
/// any text stream: a string, or a file (``FileTextStream``) so that a large run's documents are
/// never whole in memory.
struct JSONDocumentWriter<Target: TextOutputStream> {
    private(set) var target: Target
    private var first = true

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
        key(name)
        guard !items.isEmpty else { target.write("[]"); return }
        target.write("[")
        for (index, item) in items.enumerated() {
            target.write(index == 0 ? "\n    " : ",\n    ")
            target.write(item)
        }
        target.write("\n  ]")
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
