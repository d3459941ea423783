import Foundation

/// Escapes text for HTML element content and quoted attribute values. Control and bidi
/// characters are removed as in DOT, so a log value cannot reorder or hide what is shown.
public enum HTMLText {
    public static func escape(_ text: String, limit: Int = 2000) -> String {
        // Most values are short printable ASCII with nothing to escape: given back as they are.
        let plain = text.utf8.count <= limit && text.withUTF8Bytes { bytes in
            bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "&") && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "'") }
        }
        if plain { return text }
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit { out += "…"; break }
            count += 1
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n", "\t": out += " "
            default:
                if DOTText.isRemoved(scalar.value) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// `report.html`: one self-contained page to brief people with: the run summary (inputs,
/// accounting, time range), the findings of medium or higher ranked by severity and those below
/// counted per rule, and for each flagged session its
/// diagram (inline SVG), its timeline and the evidence records. Inline CSS only; no script, no
/// external resource. Every value from a log is escaped with ``HTMLText``; the SVG comes from
/// Graphviz, which escapes the (already sanitised) labels it draws.
public struct BriefingReport {
    public var ingest: IngestResult
    public var graph: InvestigationGraph
    public var findings: [Finding]
    /// Rendered SVG per flagged session drawn (index into the graph's sessions): each has a
    /// section of its own; the flagged sessions not drawn are counted.
    public var diagrams: [Int: String]
    public var generatedAt: UTCInstant
    public var inputs: [String]
    /// Applied to every text from the logs before it is escaped and cut to its length:
    /// `--redact`'s pseudonyms (the diagrams given are redacted by their own filter).
    public var textFilter: (@Sendable (String) -> String)? = nil

    public init(ingest: IngestResult, graph: InvestigationGraph, findings: [Finding], diagrams: [Int: String], generatedAt: UTCInstant, inputs: [String]) {
        self.ingest = ingest
        self.graph = graph
        self.findings = findings
        self.diagrams = diagrams
        self.generatedAt = generatedAt
        self.inputs = inputs
    }

    private func escaped(_ text: String) -> String { HTMLText.escape(textFilter?(text) ?? text) }

    static let style = """
        body{font-family:Helvetica,Arial,sans-serif;margin:2em;color:#263238;max-width:1400px}
        h1{font-size:1.6em;margin-bottom:0}h2{border-bottom:2px solid #cfd8dc;padding-bottom:.2em;margin-top:2em}
        table{border-collapse:collapse;width:100%;font-size:.85em;margin:.5em 0}
        th,td{border:1px solid #cfd8dc;padding:.3em .5em;text-align:left;vertical-align:top}
        th{background:#eceff1}.sev{font-weight:bold;text-transform:uppercase}
        .high{color:#c62828}.medium{color:#ef6c00}.low{color:#9e7700}.info{color:#607d8b}
        .muted{color:#607d8b;font-size:.85em}.diagram{overflow:auto;border:1px solid #cfd8dc;padding:.5em;background:#fafafa}
        .diagram svg{max-width:none;height:auto}code{font-size:.9em;word-break:break-all}
        details summary{cursor:pointer;color:#455a64;margin:.5em 0}
        """

    public func html() -> String { html(opening: opening()) }

    /// The page with its opening (``opening()``) already made: the run summary and the findings
    /// need no diagram, so they can be made while Graphviz draws.
    public func html(opening: String) -> String {
        opening + sessionsSection() + "</body></html>\n"
    }

    /// The page up to the flagged sessions: head, run summary, findings.
    public func opening() -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        out += "<title>SessionGraph briefing</title><style>\(Self.style)</style></head><body>\n"
        out += "<h1>SessionGraph briefing</h1><p class=\"muted\">Generated \(generatedAt.iso8601) · all times UTC</p>\n"
        out += summarySection()
        out += findingsSection()
        return out
    }

    private func summarySection() -> String {
        let t = ingest.totals
        var out = "<section id=\"summary\"><h2>Run summary</h2>"
        out += "<p>Inputs: " + inputs.map { "<code>\(escaped($0))</code>" }.joined(separator: ", ") + "</p>"
        if let range = ingest.timeRange { out += "<p>Events from <b>\(range.lowerBound.iso8601)</b> to <b>\(range.upperBound.iso8601)</b>.</p>" }
        out += "<p>\(t.files) files (\(t.unrecognisedFiles) not recognised): <b>\(t.read)</b> records read = \(t.used) used + \(t.duplicate) duplicate + \(t.rejected) rejected. "
        out += "\(graph.sessions.count) sessions, \(graph.sessions.filter { $0.root == nil }.count) with the root absent; "
        out += "\(graph.unlinked.workloadIdentitySignIns) workload-identity sign-ins and \(graph.unlinked.appOnlyActions) app-only actions are not sessions.</p>"
        out += "<details><summary>Per-file account (\(ingest.files.count) files)</summary>"
        out += "<table><tr><th>file</th><th>source / shape</th><th>read</th><th>used</th><th>duplicate</th><th>rejected</th></tr>"
        for file in ingest.files {
            let what = file.unrecognised.map { "not recognised: \(escaped($0))" } ?? "\(escaped(file.source ?? "-")) / \(escaped(file.shape ?? "-"))"
            out += "<tr><td><code>\(escaped(file.path))</code></td><td>\(what)</td><td>\(file.read)</td><td>\(file.used)</td><td>\(file.duplicate)</td><td>\(file.rejected)</td></tr>"
        }
        out += "</table></details>"
        for error in graph.dataErrors { out += "<p class=\"high\">Data error: \(escaped(error.message))</p>" }
        return out + "</section>\n"
    }

    /// The most findings of medium or higher listed one per row; a hostile export can make
    /// thousands, and findings.json holds them all.
    static let flaggedRowLimit = 1000
    /// The lower-severity findings listed one per row (in a closed `<details>`), after their
    /// count per rule: at 4.9 GB of input there were 27,900 of them, a 25 MB page.
    static let lowerRowLimit = 200

    /// The findings of medium or higher, one per row; those below, which give context rather
    /// than raise an alarm, counted per rule, with the first of them one per row. Every finding
    /// is in findings.json and findings.jsonl.
    private func findingsSection() -> String {
        var out = "<section id=\"findings\"><h2>Findings</h2>"
        guard !findings.isEmpty else { return out + "<p>No findings.</p></section>\n" }
        out += "<p>\(findings.count) \(findings.count == 1 ? "finding" : "findings"): \(FindingsReport.severityCounts(findings)). Every finding is in <code>findings.json</code> and <code>findings.jsonl</code>.</p>"
        // Findings come ranked, highest severity first; ranking is the detector's, kept here.
        let flagged = findings.filter { $0.severity >= .medium }
        let lower = findings.filter { $0.severity < .medium }
        if flagged.isEmpty {
            out += "<p>No finding of medium or higher.</p>"
        } else {
            out += findingsTable(flagged.prefix(Self.flaggedRowLimit))
            if flagged.count > Self.flaggedRowLimit {
                out += "<p class=\"muted\">… \(flagged.count - Self.flaggedRowLimit) more of medium or higher in findings.json.</p>"
            }
        }
        guard !lower.isEmpty else { return out + "</section>\n" }
        out += "<h3>Lower-severity findings by rule</h3>"
        out += "<table><tr><th>severity</th><th>rule</th><th>family</th><th>findings</th><th>session ids</th><th>users</th><th>first seen</th><th>last seen</th></tr>"
        for group in LowerFindingGroup.groups(lower) {
            out += "<tr><td class=\"sev \(group.severity.rawValue)\">\(group.severity.rawValue)</td><td><code>\(escaped(group.rule))</code></td><td>\(group.family.rawValue)</td>"
            out += "<td>\(group.findings)</td><td>\(group.sessions)</td><td>\(group.users)</td><td>\(HTMLText.escape(group.firstSeen))</td><td>\(HTMLText.escape(group.lastSeen))</td></tr>"
        }
        out += "</table>"
        let shown = min(lower.count, Self.lowerRowLimit)
        out += "<details><summary>\(shown == lower.count ? "All \(shown)" : "The first \(shown) of \(lower.count)"), one per row</summary>"
        out += findingsTable(lower.prefix(Self.lowerRowLimit))
        if lower.count > shown { out += "<p class=\"muted\">… \(lower.count - shown) more in findings.json.</p>" }
        return out + "</details></section>\n"
    }

    private func findingsTable(_ rows: ArraySlice<Finding>) -> String {
        var out = "<table><tr><th>severity</th><th>first seen</th><th>rule</th><th>family</th><th>session</th><th>user</th><th>summary</th><th>reason</th></tr>"
        for finding in rows {
            let sessionCell = finding.sessionId.map { "<code>\(escaped($0))</code>" } ?? "-"
            out += "<tr><td class=\"sev \(finding.severity.rawValue)\">\(finding.severity.rawValue)</td><td>\(HTMLText.escape(finding.firstSeen))</td><td><code>\(escaped(finding.rule))</code></td><td>\(finding.family.rawValue)</td>"
            out += "<td>\(sessionCell)</td><td>\(escaped(finding.user ?? "-"))</td><td>\(escaped(finding.summary))</td><td>\(escaped(finding.reason))"
            if !finding.adjustments.isEmpty { out += "<br><span class=\"muted\">\(escaped(finding.adjustments.joined(separator: "; ")))</span>" }
            out += "</td></tr>"
        }
        return out + "</table>"
    }

    private func sessionsSection() -> String {
        var out = "<section id=\"sessions\"><h2>Flagged sessions</h2>"
        // Sessions, not ids: one session id used by two users is two sessions.
        let ranks = FindingsReport.flaggedRanks(findings, in: graph.sessions)
        let flaggedCount = ranks.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
        guard flaggedCount > 0 else { return out + "<p>No session has a finding of medium or higher.</p></section>\n" }
        // The sessions drawn, highest-ranked first, as the findings table ranks them: the caller
        // may draw only some (the analyze command draws at most --max-diagrams, the
        // highest-ranked); the others are counted here, not left to look absent.
        let flagged = diagrams.keys.map { (rank: ranks[$0] ?? Int.max, index: $0) }.sorted { ($0.rank, $0.index) < ($1.rank, $1.index) }.map(\.index)
        if flagged.count < flaggedCount {
            let shown = flagged.isEmpty ? "none is drawn here" : "\(flagged.count) \(flagged.count == 1 ? "is" : "are") drawn here"
            let have = flaggedCount == 1 ? "1 session has" : "\(flaggedCount) sessions have"
            out += "<p class=\"muted\">\(have) a finding of medium or higher; \(shown). Every finding of medium or higher is in the table above, and every finding in findings.json; <code>sessiongraph session &lt;sid&gt; &lt;inputs&gt; --format svg -o FILE</code> draws any session (with <code>--user</code> when two users share its id).</p>"
        }
        // The findings of medium or higher per session id, in their order, gathered once.
        let evidenceFindings = Dictionary(grouping: findings.filter { $0.sessionId != nil && $0.severity >= .medium }, by: { $0.sessionId! })
        for index in flagged {
            let session = graph.sessions[index]
            let user = session.userPrincipalName ?? session.user ?? "unknown user"
            out += "<article class=\"session\"><h3>Session <code>\(escaped(session.sessionId))</code> · \(escaped(user))</h3>"
            out += "<p class=\"muted\">\(session.firstSeen.iso8601) → \(session.lastSeen.iso8601) · root \(session.root == nil ? "absent" : "present") · \(session.signIns) sign-ins, \(session.tokens) tokens, \(session.actions) actions, \(session.branches.count) branches</p>"
            if let svg = diagrams[index] { out += "<div class=\"diagram\">\(Self.inlineSVG(svg))</div>" }
            out += "<h4>Evidence</h4><table><tr><th>rule</th><th>time</th><th>record</th><th>file</th></tr>"
            for finding in evidenceFindings[session.sessionId] ?? [] where finding.isAbout(session) {
                for evidence in finding.evidence.prefix(10) {
                    out += "<tr><td><code>\(escaped(finding.rule))</code></td><td>\(HTMLText.escape(evidence.time))</td><td>\(escaped(evidence.summary))</td><td><code>\(escaped(evidence.file ?? "-")):\(evidence.line)</code></td></tr>"
                }
            }
            out += "</table><h4>Timeline</h4><table><tr><th>time</th><th>branch</th><th>kind</th><th>what</th></tr>"
            let nodes = session.nodes.filter { graph.nodes[Int($0)].kind != .session && graph.nodes[Int($0)].kind != .token }
                .sorted { (graph.nodes[Int($0)].time, $0) < (graph.nodes[Int($1)].time, $1) }
            for node in nodes.prefix(400) {
                let value = graph.nodes[Int(node)]
                let text = graph.event(of: node).map(\.summaryLine) ?? ""
                out += "<tr><td>\(value.time.iso8601)</td><td>\(value.branch == 0 ? "root" : String(value.branch))</td><td>\(value.kind.rawValue)</td><td>\(escaped(text))</td></tr>"
            }
            if nodes.count > 400 {
                out += "<tr><td colspan=\"4\">… \(nodes.count - 400) more; <code>sessiongraph session \(escaped(session.sessionId)) &lt;inputs&gt;</code> lists them all</td></tr>"
            }
            out += "</table></article>"
        }
        return out + "</section>\n"
    }

    /// The `<svg>` element of a Graphviz SVG document (without its XML prolog and DOCTYPE), with
    /// a `<script>` element, a `javascript:` URL or an `onload`/`onclick` attribute refused
    /// outright, matched ASCII case-insensitively as browsers read tags and attributes. The
    /// page's Content-Security-Policy (`default-src 'none'`) is what keeps any script from
    /// running; this check is a second line.
    static func inlineSVG(_ svg: String) -> String {
        let bytes = Array(svg.utf8), tag = Array("<svg".utf8)
        guard let start = bytes.indices.first(where: { bytes[$0...].starts(with: tag) }) else { return "" }
        let body = String(decoding: bytes[start...], as: UTF8.self)
        if body.containsAnyIgnoringASCIICase(["<script", " onload=", " onclick=", "javascript:"]) {
            return "<p class=\"high\">diagram withheld: unexpected active content in the SVG</p>"
        }
        return body
    }
}

/// The findings of one rule at one severity, counted for the briefing's lower-severity table.
struct LowerFindingGroup: Equatable {
    var severity: Severity
    var rule: String
    var family: FindingFamily
    var findings = 0
    /// Distinct session ids (one id shared by two users counts once).
    var sessions = 0
    var users = 0
    var firstSeen: String
    var lastSeen: String

    /// One group per rule and severity, the most severe first, then the most findings, then by
    /// rule. Sessions and users are counted distinct; a finding without one adds none.
    static func groups(_ findings: [Finding]) -> [LowerFindingGroup] {
        struct Key: Hashable { var severity: Severity; var rule: String }
        var groups: [Key: LowerFindingGroup] = [:]
        var sessions: [Key: Set<String>] = [:], users: [Key: Set<String>] = [:]
        for finding in findings {
            let key = Key(severity: finding.severity, rule: finding.rule)
            var group = groups[key] ?? LowerFindingGroup(severity: finding.severity, rule: finding.rule, family: finding.family, firstSeen: finding.firstSeen, lastSeen: finding.lastSeen)
            group.findings += 1
            group.firstSeen = min(group.firstSeen, finding.firstSeen)
            group.lastSeen = max(group.lastSeen, finding.lastSeen)
            groups[key] = group
            if let session = finding.sessionId { sessions[key, default: []].insert(session) }
            if let user = finding.user { users[key, default: []].insert(user) }
        }
        return groups.map { key, group in
            var group = group
            group.sessions = sessions[key]?.count ?? 0
            group.users = users[key]?.count ?? 0
            return group
        }.sorted { ($1.severity, $1.findings, $0.rule) < ($0.severity, $0.findings, $1.rule) }
    }
}
