import Foundation

/// `findings.json`, `findings.jsonl` and the terminal table of findings.
public enum FindingsReport {
    /// `{"schemaVersion": 1, "generatedAt": "<UTC>", "inputs": [...], "rules": [...], "counts": {...},
    /// "findings": [...]}`, keys in sorted order, one finding per line (the line `jsonLines` writes).
    public static func document(_ findings: [Finding], inputs: [String], generatedAt: UTCInstant) -> Data {
        var text = ""
        var discarded = DiscardedText()
        write(findings, inputs: inputs, generatedAt: generatedAt, document: &text, lines: &discarded)
        return Data(text.utf8)
    }

    /// One finding per line (for jq, Timesketch and SIEM import).
    public static func jsonLines(_ findings: [Finding]) -> Data {
        var text = ""
        forEachEncodedChunk(findings, FindingsReport.line) { chunk in
            for line in chunk {
                text += line
                text += "\n"
            }
        }
        return Data(text.utf8)
    }

    /// ``document(_:inputs:generatedAt:)`` to `document` and ``jsonLines(_:)-swift.type.method``
    /// to `lines`, together: each finding is encoded once, for both, a chunk of findings at a
    /// time, so neither text is ever whole in memory (each took 194 MB at 4.9 GB of input).
    ///
    /// `filter` (`--redact`) is applied once to each finding's encoded line (its keys
    /// included: a value spelled as a key, ASCII case aside, is replaced there too), on every
    /// core, and to each other member's value; not to the document's outer keys and
    /// punctuation.
    public static func write(_ findings: [Finding], inputs: [String], generatedAt: UTCInstant, document: inout some TextOutputStream, lines: inout some TextOutputStream,
                             filter: (@Sendable (String) -> String)? = nil) {
        let shown: @Sendable (String) -> String = filter ?? { $0 }
        var counts: [String: Int] = [:]
        for finding in findings { counts[finding.severity.rawValue, default: 0] += 1 }
        var countsObject = JSONObjectWriter()
        for (severity, count) in counts.sorted(by: { $0.key < $1.key }) { countsObject.int(severity, count) }
        var writer = JSONDocumentWriter(into: document)
        writer.member("counts", shown(countsObject.finish()))
        writer.openLines("findings")
        let encode: @Sendable (Finding) -> String = { shown(FindingsReport.line($0)) }
        forEachEncodedChunk(findings, encode) { chunk in
            for line in chunk {
                writer.line(line)
                lines.write(line)
                lines.write("\n")
            }
        }
        writer.closeLines()
        writer.member("generatedAt", shown(jsonString(generatedAt.iso8601)))
        writer.lines("inputs", inputs.map { shown(jsonString($0)) })
        writer.lines("rules", RuleRegistry.catalogue.map { rule in
            var object = JSONObjectWriter()
            object.string("family", rule.family.rawValue)
            object.string("id", rule.id)
            return shown(object.finish())
        })
        writer.member("schemaVersion", shown("1"))
        document = writer.finish()
    }

    /// One finding as a JSON object on one line, keys in sorted order, absent values left out.
    /// Written directly: the two findings files of a large run hold thousands of findings,
    /// and JSONEncoder took most of the output stage's time and memory on them.
    static func line(_ finding: Finding) -> String {
        var object = JSONObjectWriter()
        object.strings("adjustments", finding.adjustments, keepEmpty: true)
        object.int("branch", finding.branch)
        object.objects("evidence", finding.evidence) { item, entry in
            entry.string("file", item.file)
            entry.string("kind", item.kind)
            entry.int("line", item.line)
            entry.int("node", item.node)
            entry.int("record", item.record)
            entry.string("summary", item.summary)
            entry.string("time", item.time)
        }
        object.int("evidenceCount", finding.evidenceCount)
        object.string("family", finding.family.rawValue)
        object.string("firstSeen", finding.firstSeen)
        object.string("id", finding.id)
        object.string("lastSeen", finding.lastSeen)
        object.string("reason", finding.reason)
        object.string("rule", finding.rule)
        object.string("sessionId", finding.sessionId)
        object.string("severity", finding.severity.rawValue)
        object.string("summary", finding.summary)
        object.string("user", finding.user)
        return object.finish()
    }

    /// Each session's rank among the flagged sessions (those a finding of medium or higher is
    /// about), in the order of the findings (ranked: a session ranks by its highest-ranked
    /// finding); nil for a session not flagged. One session id used by two users is two
    /// sessions, flagged each by its own findings.
    public static func flaggedRanks(_ findings: [Finding], in sessions: [SessionChain]) -> [Int?] {
        var sessionsByID: [String: [Int]] = [:]
        for (index, session) in sessions.enumerated() { sessionsByID[session.sessionId, default: []].append(index) }
        var shared: [String: SharedSessionID] = [:]
        var ranks = [Int?](repeating: nil, count: sessions.count)
        var next = 0
        for finding in findings where finding.severity >= .medium {
            guard let id = finding.sessionId, let indices = sessionsByID[id] else { continue }
            // One session, or the few a finding can be about among the many of a shared id.
            let candidates: [Int]
            if indices.count == 1 {
                candidates = indices
            } else {
                if shared[id] == nil { shared[id] = SharedSessionID(indices, in: sessions) }
                candidates = shared[id]!.candidates(for: finding)
            }
            for index in candidates where ranks[index] == nil && finding.isAbout(sessions[index]) {
                ranks[index] = next
                next += 1
            }
        }
        return ranks
    }

    /// The sessions of one session id used by several users, laid out so that the sessions a
    /// finding can be about (``Finding/isAbout(_:)``) are found without asking each of them: a
    /// split session holds the finding's first evidence node (the node ranges are disjoint) or,
    /// for a finding without one, belongs to the user it names.
    private struct SharedSessionID {
        /// The sessions not split from a shared id: about every finding of the id.
        var unsplit: [Int] = []
        /// The split sessions by the first node of their range.
        var byFirstNode: [(range: Range<NodeID>, index: Int)] = []
        /// The split sessions by the user they name, each list in session order.
        var byUser: [String?: [Int]] = [:]

        init(_ indices: [Int], in sessions: [SessionChain]) {
            for index in indices {
                let session = sessions[index]
                guard session.splitFromSharedId else { unsplit.append(index); continue }
                byFirstNode.append((session.nodes, index))
                byUser[session.namedUser, default: []].append(index)
            }
            byFirstNode.sort { $0.range.lowerBound < $1.range.lowerBound }
        }

        /// The sessions `finding` may be about, in session order.
        func candidates(for finding: Finding) -> [Int] {
            var found = unsplit
            if let node = finding.evidence.lazy.compactMap(\.node).first {
                let target = NodeID(clamping: node)
                let after = byFirstNode.partitionIndex { $0.range.lowerBound > target }
                if after > 0, byFirstNode[after - 1].range.contains(target) { found.append(byFirstNode[after - 1].index) }
            } else {
                found += byUser[finding.user] ?? []
            }
            return found.count > 1 ? found.sorted() : found
        }
    }

    /// How many findings of each severity, the highest first: `3 high, 0 medium, 12 low, 0 info`.
    static func severityCounts(_ findings: [Finding]) -> String {
        var counts: [Severity: Int] = [:]
        for finding in findings { counts[finding.severity, default: 0] += 1 }
        return Severity.allCases.reversed().map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
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
        lines.append(severityCounts(findings))
        let unjudged = findings.count { finding in finding.adjustments.contains { $0.hasSuffix(Detector.nothingToJudgeBy) } }
        if unjudged > 0 {
            lines.append("\(unjudged) context \(unjudged == 1 ? "finding was" : "findings were") capped at low: \(unjudged == 1 ? "its session has" : "their sessions have") no sign-in log row in the data and no ASN for \(unjudged == 1 ? "its" : "their") networks. Add SigninLogs and AADNonInteractiveUserSignInLogs of the same days to judge them.")
        }
        return lines.joined(separator: "\n")
    }
}

/// A text stream that keeps nothing.
private struct DiscardedText: TextOutputStream {
    mutating func write(_ string: String) {}
}
