/// The one place where text from a log becomes DOT: sanitising and escaping per target,
/// following swift-graphviz.md §3.2 (fuzz-verified there against Graphviz 2.42):
///
/// 1. node ids are generated, never taken from a log;
/// 2. user text is sanitised first: NUL, C0/C1 controls (but line feeds), DEL, bidi and
///    zero-width format characters removed; CR/CRLF → LF, TAB → space; at most 20 lines of at
///    most 200 characters (longer text ends with "…"), which also keeps Graphviz far from its
///    32,768-line crash;
/// 3. in a quoted label: `&` → `&amp;` (Graphviz decodes entities even in plain labels),
///    `\` → `\\` (no `\N`, `\G`, line continuation or quote swallowing), `"` → `\"`, lines
///    joined with `\n`; in a tooltip `\` becomes four backslashes (tooltips unescape twice);
/// 4. user text is only ever placed in `label`, `xlabel` and `tooltip`; never in `URL`,
///    `href`, `image`, `fontname` or attribute names.
public enum DOTText {
    public static let maxLines = 20
    public static let maxLineLength = 200

    /// The sanitised lines of `text`.
    public static func sanitisedLines(_ text: String, maxLines: Int = maxLines, maxLineLength: Int = maxLineLength) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var length = 0
        var truncatedLine = false
        var pendingCR = false
        func endLine() {
            lines.append(String(current) + (truncatedLine ? "…" : ""))
            current = String.UnicodeScalarView()
            length = 0
            truncatedLine = false
        }
        for scalar in text.unicodeScalars {
            if lines.count > maxLines { break }
            let v = scalar.value
            if v == 0x0D {
                pendingCR = true
                endLine()
                continue
            }
            if v == 0x0A {
                if pendingCR { pendingCR = false; continue }
                endLine()
                continue
            }
            pendingCR = false
            if v == 0x09 {
                if length < maxLineLength { current.append(" "); length += 1 } else { truncatedLine = true }
                continue
            }
            if isRemoved(v) { continue }
            if length < maxLineLength {
                current.append(scalar)
                length += 1
            } else {
                truncatedLine = true
            }
        }
        if !current.isEmpty || lines.isEmpty || truncatedLine { endLine() }
        if lines.count > maxLines {
            lines = Array(lines.prefix(maxLines))
            lines[maxLines - 1] += " …"
        }
        return lines
    }

    static func isRemoved(_ v: UInt32) -> Bool {
        v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || (0x200B...0x200F).contains(v) || v == 0x061C
            || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0xFEFF || v == 0x2028 || v == 0x2029
    }

    /// The inside of a quoted `label="…"` for `text` (without the quotes).
    public static func label(_ text: String) -> String {
        sanitisedLines(text).map { escapeLine($0, backslash: "\\\\") }.joined(separator: "\\n")
    }

    /// The inside of a quoted `label="…"` built from several pieces of text, one line each.
    public static func label(lines: [String]) -> String {
        lines.flatMap { sanitisedLines($0, maxLines: 6) }.prefix(maxLines).map { escapeLine($0, backslash: "\\\\") }.joined(separator: "\\n")
    }

    /// The inside of a quoted `tooltip="…"`.
    public static func tooltip(_ text: String) -> String {
        sanitisedLines(text).map { escapeLine($0, backslash: "\\\\\\\\") }.joined(separator: "\\n")
    }

    /// Escapes scalar by scalar, not by `Character`: a quote followed by a combining mark is one
    /// Character that is not equal to `"`, and would pass through raw (found by fuzzing).
    private static func escapeLine(_ line: String, backslash: String) -> String {
        var out = ""
        out.reserveCapacity(line.utf8.count)
        for scalar in line.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "\\": out += backslash
            case "\"": out += "\\\""
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
