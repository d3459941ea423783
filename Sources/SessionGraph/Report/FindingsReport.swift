import Foundation

/// `findings.json`, `findings.jsonl` and the terminal table of findings.
public enum FindingsReport {
    /// `{"schemaVersion": 1, "generatedAt": "<UTC>", "inputs": [...], "rules": [...], "findings": [...]}`.
    public static func document(_ findings: [Finding], inputs: [String], generatedAt: UTCInstant) -> Data {
        struct Rule: Encodable {
            var id: String
            var family: FindingFamily
        }
        struct Document: Encodable {
            var schemaVersion = 1
            var generatedAt: String
            var inputs: [String]
            var rules: [Rule]
            var counts: [String: Int]
            var findings: [Finding]
        }
        var counts: [String: Int] = [:]
        for finding in findings { counts[finding.severity.rawValue, default: 0] += 1 }
        return SessionReport.encode(Document(
            generatedAt: generatedAt.iso8601, inputs: inputs,
            rules: RuleRegistry.catalogue.map { Rule(id: $0.id, family: $0.family) }, counts: counts, findings: findings))
    }

    /// One finding per line (for jq, Timesketch and SIEM import).
    public static func jsonLines(_ findings: [Finding]) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for finding in findings {
            if let line = try? encoder.encode(finding) {
                data.append(line)
                data.append(0x0A)
            }
        }
        return data
    }

    /// Findings ranked by severity then time, one line each, with the session and the reason.
    public static func table(_ findings: [Finding], limit: Int = 40) -> String {
        guard !findings.isEmpty else { return "No findings." }
        var lines = ["SEVERITY  FIRST SEEN (UTC)       RULE                        SESSION                               USER"]
        for finding in findings.prefix(limit) {
            lines.append([
                finding.severity.rawValue.uppercased().padding(9), finding.firstSeen.padding(22), finding.rule.padding(27),
                (finding.sessionId ?? "-").padding(37), TerminalText.safe(finding.user ?? "-", limit: 60),
            ].joined(separator: " "))
            lines.append("          \(TerminalText.safe(finding.reason, limit: 220))")
        }
        if findings.count > limit { lines.append("… \(findings.count - limit) more in findings.json") }
        var counts: [Severity: Int] = [:]
        for finding in findings { counts[finding.severity, default: 0] += 1 }
        lines.append(Severity.allCases.reversed().map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}
