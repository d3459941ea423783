import Foundation
import Testing
@testable import SessionGraph

/// report.html lists the findings of medium or higher one by one, and counts those below per rule.
@Suite struct BriefingReportTests {
    static func finding(_ index: Int, _ severity: Severity, rule: String, session: String?, user: String?, first: String) -> Finding {
        Finding(id: "f\(index)", rule: rule, family: .contextDivergence, severity: severity, sessionId: session, user: user,
                firstSeen: first, lastSeen: first, summary: "summary \(index)", reason: "reason \(index)", branch: 1,
                adjustments: [], evidence: [], evidenceCount: 0)
    }

    @Test func lowerFindingsAreCountedPerRuleAndSeverity() {
        let findings = [
            Self.finding(0, .low, rule: "b-rule", session: "s1", user: "u1", first: "2026-03-02T08:00:00Z"),
            Self.finding(1, .low, rule: "b-rule", session: "s1", user: "u1", first: "2026-03-02T07:00:00Z"),
            Self.finding(2, .low, rule: "b-rule", session: "s2", user: nil, first: "2026-03-02T09:00:00Z"),
            Self.finding(3, .low, rule: "a-rule", session: nil, user: "u2", first: "2026-03-01T00:00:00Z"),
            Self.finding(4, .info, rule: "a-rule", session: "s3", user: "u3", first: "2026-03-01T00:00:00Z"),
            Self.finding(5, .low, rule: "c-rule", session: "s4", user: "u4", first: "2026-03-01T00:00:00Z"),
        ]
        let groups = LowerFindingGroup.groups(findings)
        #expect(groups.map(\.rule) == ["b-rule", "a-rule", "c-rule", "a-rule"])
        #expect(groups.map(\.severity) == [.low, .low, .low, .info])
        #expect(groups[0].findings == 3 && groups[0].sessions == 2 && groups[0].users == 1)
        #expect(groups[0].firstSeen == "2026-03-02T07:00:00Z" && groups[0].lastSeen == "2026-03-02T09:00:00Z")
        #expect(groups[1].findings == 1 && groups[1].sessions == 0 && groups[1].users == 1)
    }

    @Test func flaggedFindingsAreListedAndLowerOnesBounded() throws {
        let graph = try GraphBuilderTests().fixture()
        let ingest = try Ingestor.ingest(paths: [try GraphBuilderTests.writeLines(try GraphBuilderTests().fixtureLines()).path])
        let high = (0..<3).map { Self.finding($0, .high, rule: "root-aitm-kit-ua", session: "s\($0)", user: "flagged\($0)", first: "2026-03-02T08:00:00Z") }
        let low = (0..<(BriefingReport.lowerRowLimit + 50)).map { Self.finding(100 + $0, .low, rule: "sess-branch-new-net", session: "l\($0)", user: "lower\($0)", first: "2026-03-02T08:00:00Z") }
        let html = BriefingReport(ingest: ingest, graph: graph, findings: high + low, diagrams: [:], generatedAt: UTCInstant(seconds: 0), inputs: ["x"]).opening()
        for index in 0..<3 { #expect(html.contains("flagged\(index)")) }
        #expect(html.contains("3 high, 0 medium, \(low.count) low, 0 info"))
        #expect(html.contains("<code>sess-branch-new-net</code></td><td>context-divergence</td><td>\(low.count)</td><td>\(low.count)</td><td>\(low.count)</td>"))
        #expect(html.contains("lower\(BriefingReport.lowerRowLimit - 1)<"))
        #expect(!html.contains("lower\(BriefingReport.lowerRowLimit)<"), "only the first lower findings are listed")
        #expect(html.contains("… 50 more in findings.json"))
    }

    /// A finding's times are public strings a library caller sets: escaped like the rest.
    @Test func findingTimesAreEscaped() throws {
        let graph = try GraphBuilderTests().fixture()
        let ingest = try Ingestor.ingest(paths: [try GraphBuilderTests.writeLines(try GraphBuilderTests().fixtureLines()).path])
        let hostile = "<script>x</script>"
        let findings = [Self.finding(0, .high, rule: "r", session: "s", user: "u", first: hostile),
                        Self.finding(1, .low, rule: "r", session: "s", user: "u", first: hostile)]
        let html = BriefingReport(ingest: ingest, graph: graph, findings: findings, diagrams: [:], generatedAt: UTCInstant(seconds: 0), inputs: ["x"]).opening()
        #expect(!html.contains(hostile))
        #expect(html.contains("&lt;script&gt;x&lt;/script&gt;"))
    }
}
