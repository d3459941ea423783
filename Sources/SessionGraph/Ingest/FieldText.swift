/// A text field's value as a mapper hands it to the event: still the bytes of the record (a plain
/// string of a record read flat, the common case) or a string (a value that was parsed, escaped
/// or changed). ``TextInterner`` looks bytes up as they are, so a value the file has seen before
/// never becomes a string: making a heap string of every id, address and user agent of every
/// record, only to find its code and drop it, was the largest source of allocations in ingest.
///
/// Bytes point into the file being read, or into a CSV reader's bytes for the current row
/// (``CSVCellBytes``, reused at the next row): a draft holding them is made into an ``Event``
/// before the reader moves to the next record (``FileReader``), and never kept.
enum FieldText {
    case bytes(UnsafeBufferPointer<UInt8>)
    case text(String)

    init(_ text: String) { self = .text(text) }

    /// The value as a string (invalid UTF-8 repaired, as a parsed string is).
    var string: String {
        switch self {
        case .bytes(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .text(let text): return text
        }
    }

    /// Calls `body` with the value's UTF-8 bytes.
    @inline(__always)
    func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        switch self {
        case .bytes(let bytes): return body(bytes)
        case .text(let text): return text.withUTF8Bytes(body)
        }
    }

    /// Whether the value's bytes are exactly `other`'s.
    func sameBytes(as other: String) -> Bool {
        withUTF8 { other.sameBytes(as: $0) }
    }

    func sameBytes(as other: FieldText) -> Bool {
        withUTF8 { mine in other.withUTF8 { theirs in mine.elementsEqual(theirs) } }
    }

    /// Whether the value holds `character` (ASCII) as a character of its own, as
    /// `String.contains` finds it: the bytes are searched first. An all-ASCII value answers by
    /// them (an ASCII scalar joins no other, but CR with LF); a value with other bytes that has
    /// the byte becomes a string (`@` followed by a combining mark is another character). Every
    /// UPN of an audit row was made a string for this check (0.8 % of a run).
    func contains(_ character: Character) -> Bool {
        guard let byte = character.asciiValue else { return false }
        let (found, ascii) = withUTF8 { bytes -> (Bool, Bool) in
            var found = false, ascii = true
            for value in bytes {
                if value == byte { found = true }
                if value >= 0x80 { ascii = false }
            }
            return (found, ascii)
        }
        guard found else { return false }
        if ascii && character.unicodeScalars.count == 1 && byte != 0x0D && byte != 0x0A { return true }
        return string.contains(character)
    }

    /// The value lower-cased: itself when it has no upper-case letter and is all ASCII (no copy),
    /// else `String.lowercased()` of it.
    func lowercased() -> FieldText {
        let unchanged = withUTF8 { bytes in !bytes.contains { $0 >= 0x80 || ($0 >= 0x41 && $0 <= 0x5A) } }
        return unchanged ? self : .text(string.lowercased())
    }
}

extension FieldText {
    /// The pieces' text as one string, made in one allocation. Invalid UTF-8 is repaired as
    /// each piece's own string would repair it (the pieces put between values are ASCII).
    static func joined(_ a: FieldText, _ b: FieldText, _ c: FieldText? = nil, _ d: FieldText? = nil) -> String {
        func length(_ piece: FieldText?) -> Int { piece?.withUTF8 { $0.count } ?? 0 }
        let total: Int = length(a) + length(b) + length(c) + length(d)
        return String(unsafeUninitializedCapacity: total) { out in
            var at = 0
            func copy(_ piece: FieldText?) {
                piece?.withUTF8 { bytes in
                    guard let source = bytes.baseAddress, let target = out.baseAddress else { return }
                    (target + at).initialize(from: source, count: bytes.count)
                    at += bytes.count
                }
            }
            copy(a)
            copy(b)
            copy(c)
            copy(d)
            return at
        }
    }
}

extension FieldText: ExpressibleByStringLiteral {
    init(stringLiteral value: String) { self = .text(value) }
}

/// Printed as the string it holds, so a draft reads the same whichever way its fields came (the
/// flat and tree readings of a record are compared as text, ``FlatRecordCheck``).
extension FieldText: CustomStringConvertible, CustomDebugStringConvertible {
    var description: String { string }
    var debugDescription: String { string.debugDescription }
}
