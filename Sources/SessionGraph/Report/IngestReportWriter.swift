import Foundation

/// Writes the ingest account: `ingest.json` and the terminal summary.
public enum IngestReportWriter {
    struct Document: Encodable {
        var schemaVersion = 1
        var files: [FileReport]
        var totals: IngestTotals
        var firstEvent: String?
        var lastEvent: String?
    }

    /// `ingest.json`: `{"schemaVersion": 1, "files": [...], "totals": {...}}`.
    public static func json(_ result: IngestResult) -> Data {
        let document = Document(
            files: result.files, totals: result.totals,
            firstEvent: result.timeRange?.lowerBound.iso8601, lastEvent: result.timeRange?.upperBound.iso8601)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain value types cannot fail.
        return (try? encoder.encode(document)) ?? Data("{}".utf8)
    }

    /// A short table for the terminal: one line per file, then totals and the commonest reasons.
    public static func summary(_ result: IngestResult) -> String {
        var lines: [String] = []
        for file in result.files {
            let what: String
            if let reason = file.unrecognised {
                what = "NOT RECOGNISED: \(TerminalText.safe(reason, limit: 300))"
            } else {
                what = "\(file.source ?? "-") / \(file.shape ?? "-")"
            }
            lines.append("  \(TerminalText.safe(file.path, limit: 400))")
            lines.append("      \(what): read \(file.read), used \(file.used), duplicate \(file.duplicate), rejected \(file.rejected)")
            for rejection in file.rejections.prefix(3) {
                lines.append("      \(TerminalText.safe(file.path, limit: 400)):\(rejection.line)\(rejection.column.map { ":\($0)" } ?? ""): \(TerminalText.safe(rejection.reason, limit: 300))")
            }
            if file.rejected > 3 { lines.append("      … \(file.rejected - 3) more rejections in ingest.json") }
        }
        let t = result.totals
        lines.append("Totals: \(t.files) files (\(t.unrecognisedFiles) not recognised), \(t.read) records read = \(t.used) used + \(t.duplicate) duplicate + \(t.rejected) rejected")
        if let range = result.timeRange {
            lines.append("Events from \(range.lowerBound.iso8601) to \(range.upperBound.iso8601) (UTC)")
        }
        var reasons: [String: Int] = [:]
        for file in result.files {
            for (reason, count) in file.rejectionsByReason { reasons[reason, default: 0] += count }
        }
        if !reasons.isEmpty {
            lines.append("Rejections by reason:")
            for (reason, count) in reasons.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }).prefix(10) {
                lines.append("  \(count) × \(TerminalText.safe(reason, limit: 300))")
            }
        }
        return lines.joined(separator: "\n")
    }
}
