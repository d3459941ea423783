/// Small helpers that lay out generated KQL: comment blocks and long column lists wrapped at
/// commas, so the queries read like hand-written ones and golden files stay diffable.
enum KQLText {
    /// `// line` for each line, each passed through ``KQLString/comment(_:)``.
    static func comments(_ lines: [String]) -> String {
        lines.map { "// " + KQLString.comment($0) }.joined(separator: "\n")
    }

    /// `items` joined with ", ", wrapped so no line passes `width`; continuation lines start with
    /// `indent`. The first line starts with `prefix`.
    static func wrapped(_ prefix: String, _ items: [String], indent: String, width: Int = 110) -> String {
        var lines: [String] = []
        var current = prefix
        var empty = true
        for (index, item) in items.enumerated() {
            let piece = item + (index < items.count - 1 ? "," : "")
            if !empty && current.count + 1 + piece.count > width {
                lines.append(current)
                current = indent + piece
            } else {
                current += (empty ? "" : " ") + piece
            }
            empty = false
        }
        lines.append(current)
        return lines.joined(separator: "\n")
    }

    /// Indents every line of `text` by `spaces` spaces.
    static func indented(_ text: String, _ spaces: Int) -> String {
        let pad = String(repeating: " ", count: spaces)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n")
    }

    /// The lookback between two instants in the largest whole unit (`7d`, `36h`, `90m`, `45s`).
    static func span(_ from: UTCInstant, _ to: UTCInstant) -> String {
        let seconds = max(0, (to.microseconds - from.microseconds) / 1_000_000)
        if seconds > 0 && seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds > 0 && seconds % 3_600 == 0 { return "\(seconds / 3_600)h" }
        if seconds > 0 && seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
