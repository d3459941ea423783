/// How values enter generated KQL. Every value that comes from the command line or from a log
/// (a session id, a token id, a UPN) goes into a query only through ``literal(_:)``: a
/// double-quoted string literal whose content the KQL lexer cannot end early, so a value can never
/// become an operator, a pipe, a statement or a comment.
///
/// The rules follow the Kusto lexer (`Kusto.Language` `TokenParser`): inside a double-quoted
/// literal a backslash starts an escape, a double quote ends it, and a line break (CR, LF, U+2028,
/// U+2029) ends it with an error. So:
/// - `\` → `\\`, `"` → `\"`, LF → `\n`, CR → `\r`, tab → `\t`;
/// - U+2028/U+2029 (line breaks to the lexer) and invisible format characters (bidi overrides,
///   zero-width characters, the byte-order mark) → `\uXXXX`, so the value is kept exactly and a
///   reader of the query sees them;
/// - every other control character (C0, DEL, C1) is dropped: no log identifier carries one, and a
///   dropped character cannot be misread by any engine.
/// Everything else (letters of any script, `|`, `;`, `'`, `//`, emoji) stays as it is: it is
/// inert inside the literal.
public enum KQLString {
    /// `value` as a double-quoted KQL string literal.
    public static func literal(_ value: String) -> String {
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if isDropped(scalar) { continue }
                if needsUnicodeEscape(scalar) {
                    out += unicodeEscape(scalar)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Whether ``literal(_:)`` drops characters of `value` (the CLI warns when it does).
    public static func dropsCharacters(_ value: String) -> Bool {
        value.unicodeScalars.contains(where: isDropped)
    }

    /// Whether nothing of `value` would be left to match once dropped characters and white space
    /// are set aside: such a value is left out of a query, since `""` would match every row whose
    /// column is empty.
    public static func isBlank(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { isDropped($0) || $0.properties.isWhitespace }
    }

    /// A KQL `dynamic([...])` array of string literals.
    static func array(_ values: [String]) -> String {
        "dynamic([" + values.map(literal).joined(separator: ", ") + "])"
    }

    /// A KQL datetime literal in UTC: `datetime(2026-03-02T08:00:00Z)`.
    static func datetime(_ instant: UTCInstant) -> String {
        "datetime(\(instant.iso8601))"
    }

    /// Text for a `//` comment: one line, no control, line-break or format characters. Generated
    /// queries only ever put fixed text, rule ids, counts and times in comments, never a value;
    /// this is the guard that keeps a comment on its line whatever it is given.
    static func comment(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == "\n" || scalar == "\r" || scalar == "\t" {
                out += " "
            } else if !isDropped(scalar) && !needsUnicodeEscape(scalar) {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// C0 controls other than tab/LF/CR, DEL, and C1 controls (U+0085 NEL among them).
    static func isDropped(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v == 0x09 || v == 0x0A || v == 0x0D { return false }
        return v < 0x20 || (v >= 0x7F && v <= 0x9F)
    }

    /// Characters kept but written as `\uXXXX`: the lexer's extra line breaks (U+2028, U+2029)
    /// and invisible format characters (general category Cf: bidi controls, zero-width
    /// characters, U+FEFF, tag characters).
    static func needsUnicodeEscape(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value == 0x2028 || scalar.value == 0x2029 { return true }
        return scalar.properties.generalCategory == .format
    }

    private static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        if scalar.value <= 0xFFFF {
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        return "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}
