/// Makes log text safe to print on a terminal: control characters (ANSI escape sequences
/// included), bidi overrides and zero-width characters become visible `\u{..}` escapes, and long
/// values are cut, so an attacker-chosen user agent or rule name cannot rewrite the screen.
public enum TerminalText {
    public static func safe(_ text: String, limit: Int = 200) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                out += "…"
                break
            }
            if isUnsafe(scalar) {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return out
    }

    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 || (v >= 0x7F && v <= 0x9F) { return true }
        if (0x200B...0x200F).contains(v) || v == 0x061C || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0xFEFF || v == 0x2028 || v == 0x2029 { return true }
        return false
    }
}
