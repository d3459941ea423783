import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import SessionGraph
@testable import SessionGraphSimulator
import SessionGraphRenderer

/// DOT golden files, in-process rendering, the node budget and hostile text. Graphviz keeps
/// process-global state, so every test that renders runs in this one serialized suite.
@Suite(.serialized) struct SessionDiagramTests {
    static let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    func fixture() throws -> (InvestigationGraph, [Finding]) {
        let tests = GraphBuilderTests()
        let graph = try tests.fixture()
        return (graph, Detector.run(graph))
    }

    /// Compares with the golden file; `UPDATE_GOLDEN=1 swift test` rewrites it.
    func assertGolden(_ raw: String, _ name: String) throws {
        // Fixture files live in a fresh temporary folder; its name is not part of the contract.
        let text = raw.replacingOccurrences(of: #"/[^"\\]*/sg-graph-[0-9A-F-]+/"#, with: "FIXTURES/", options: .regularExpression)
        let url = Self.goldenFolder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldenFolder, withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "DOT differs from \(name); rerun with UPDATE_GOLDEN=1 after checking the change")
    }

    @Test func fullViewMatchesGoldenFile() throws {
        let (graph, findings) = try fixture()
        let dot = SessionDiagram(view: .full).dot(graph.sessions[0], in: graph, findings: findings)
        try assertGolden(dot, "session-full.dot")
        #expect(dot.contains("cluster_b0"))
        #expect(dot.contains("cluster_b1"))
        #expect(dot.contains("diverges"))
    }

    @Test func suspiciousViewMatchesGoldenFile() throws {
        let (graph, findings) = try fixture()
        let full = SessionDiagram(view: .full).dot(graph.sessions[0], in: graph, findings: findings)
        let dot = SessionDiagram(view: .suspicious).dot(graph.sessions[0], in: graph, findings: findings)
        try assertGolden(dot, "session-suspicious.dot")
        #expect(dot.contains("cluster_b1"))
        // The office-only Graph call of the root branch is not an ancestor of the VPS branch.
        #expect(dot.components(separatedBy: "\" [label=").count < full.components(separatedBy: "\" [label=").count)
    }

    /// `analyze` gives each diagram its own session's findings: the DOT must be the same as with
    /// every finding of the run, in both views, and lose the marks with none.
    @Test func sessionFindingsAloneDrawTheSameDiagram() throws {
        let (graph, findings) = try fixture()
        let session = graph.sessions[0]
        let own = findings.filter { $0.sessionId == session.sessionId }
        #expect(!own.isEmpty)
        for view in [DiagramView.full, .suspicious] {
            let diagram = SessionDiagram(view: view)
            #expect(diagram.dot(session, in: graph, findings: own) == diagram.dot(session, in: graph, findings: findings))
        }
        #expect(SessionDiagram(view: .full).dot(session, in: graph, findings: []) != SessionDiagram(view: .full).dot(session, in: graph, findings: own))
    }

    @Test func rendersSVGPNGAndPDFInProcess() async throws {
        let (graph, findings) = try fixture()
        let dot = SessionDiagram().dot(graph.sessions[0], in: graph, findings: findings)
        let renderer = try #require(GraphvizRenderer.shared)
        let svg = try await renderer.render(dot: dot, format: .svg)
        #expect(Self.parsesAsXML(svg))
        let png = try await renderer.render(dot: dot, format: .png)
        #expect(Array(png.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        let pdf = try await renderer.render(dot: dot, format: .pdf)
        #expect(String(decoding: pdf.prefix(5), as: UTF8.self) == "%PDF-")
    }

    @Test func theSameDOTAlwaysGetsTheSameLayout() async throws {
        // Clusters are ordered by object ID; with cgraph's default IDs (the addresses of the
        // names) the layout changed with the heap. The heap is stirred between renders.
        let clusters = (0..<12).map { index in
            "subgraph cluster_b\(index) { label=\"branch \(index)\"; n\(index)a [label=\"a\"]; n\(index)b [label=\"b\"]; n\(index)a -> n\(index)b }"
        }.joined(separator: "\n")
        let edges = (1..<12).map { "n0a -> n\($0)a" }.joined(separator: "\n")
        let dot = "digraph G { rankdir=LR\n\(clusters)\n\(edges)\n}"
        let renderer = try #require(GraphvizRenderer.shared)
        var generator = SystemRandomNumberGenerator()
        var first: [UInt8]?
        for round in 0..<8 {
            var blocks = (0..<2_000).map { _ in malloc(Int.random(in: 8...64, using: &generator)) }
            blocks.shuffle(using: &generator)
            for block in blocks.prefix(1_500) { free(block) }
            let svg = try await renderer.render(dot: dot, format: .svg)
            for block in blocks.dropFirst(1_500) { free(block) }
            if let first {
                let same = svg == first
                #expect(same, "render \(round) laid the same DOT out differently from the first")
            } else {
                first = svg
            }
        }
        // Names still name their objects: every node and cluster is drawn with its title.
        let text = String(decoding: first ?? [], as: UTF8.self)
        #expect(text.contains("<title>cluster_b11</title>") && text.contains("<title>n11b</title>") && text.contains("<title>n0a&#45;&gt;n5a</title>"))
    }

    @Test func graphvizErrorsBecomeSwiftErrors() async throws {
        let renderer = try #require(GraphvizRenderer.shared)
        await #expect(throws: GraphvizError.self) { try await renderer.render(dot: "digraph { a -> }", format: .svg) }
        // No sticky error state: the next render works.
        let svg = try await renderer.render(dot: "digraph { a -> b }", format: .svg)
        #expect(Self.parsesAsXML(svg))
    }

    @Test func hostileTextIsEscapedEverywhere() async throws {
        let hostile = [
            "\"quoted\" \\\" back\\slash \\N \\G \\E",
            "<script>alert(1)</script>",
            "&amp; &lt;b&gt; &#60;script&#62; AT&T",
            "] ]] [ { } | < >",
            "nul\u{0}byte bidi\u{202E}gnp.exe zero\u{200B}width",
            String(repeating: "line\n", count: 40_000),
            String(repeating: "A", count: 100_000),
            "x\" URL=\"javascript:alert(1)\" shape=\"",
            "trailing backslash \\",
        ]
        let lines: [String] = hostile.enumerated().map { index, text in
            let escaped = String(decoding: { var s = ""; appendJSONString(text, to: &s); return s }().utf8, as: UTF8.self)
            return """
            {"Type":"MicrosoftGraphActivityLogs","TimeGenerated":"2026-03-02T09:\(10 + index):00Z","RequestId":"44444444-0000-4000-8000-00000000000\(index)","SignInActivityId":"\(GraphBuilderTests.uti(for: "11111111-aaaa-4bbb-8ccc-000000000003"))","SessionId":"\(GraphBuilderTests.sid)","UserId":"\(GraphBuilderTests.alice)","IPAddress":"198.51.100.7","RequestMethod":"GET","RequestUri":\(escaped),"UserAgent":\(escaped),"ResponseStatusCode":200}
            """
        }
        let base = try GraphBuilderTests().fixtureLines()
        let graph = try GraphBuilderTests.ingestLines(base + lines)
        let findings = Detector.run(graph)
        let session = try #require(graph.sessions.first)
        let dot = SessionDiagram().dot(session, in: graph, findings: findings)
        #expect(!dot.contains("javascript:alert(1)\" shape"), "a quote must not end a DOT string")
        #expect(!dot.contains("\u{0}"))
        #expect(!dot.contains("\u{202E}"))
        #expect(dot.utf8.count < 2_000_000, "long values are capped")
        let renderer = try #require(GraphvizRenderer.shared)
        let svgBytes = try await renderer.render(dot: dot, format: .svg)
        #expect(Self.parsesAsXML(svgBytes))
        let svg = String(decoding: svgBytes, as: UTF8.self)
        #expect(!svg.contains("<script"))
        #expect(!svg.lowercased().contains("href=\"javascript"))
        #expect(!svg.contains("onmouseover"))
        let ingest = try Ingestor.ingest(paths: [try GraphBuilderTests.writeLines(base + lines).path])
        let html = BriefingReport(ingest: ingest, graph: graph, findings: findings, diagrams: [0: svg], generatedAt: UTCInstant(seconds: 0), inputs: ["<script>x</script>"]).html()
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;"))
    }

    @Test func aSessionIdUsedByTwoUsersIsTwoSessionsWithTheirOwnFindings() throws {
        // Alice's session is replayed from a VPS (high findings); one sign-in of Bob's carries the
        // same session id, so the link splits it into two sessions.
        var lines = try GraphBuilderTests().fixtureLines()
        lines.append(GraphBuilderTests.signIn("11111111-aaaa-4bbb-8ccc-0000000000b0", "2026-03-02T08:40:00Z", interactive: true, ip: "203.0.113.20", asn: 3303, user: GraphBuilderTests.bob))
        let folder = try GraphBuilderTests.writeLines(lines)
        defer { try? FileManager.default.removeItem(at: folder) }
        let ingest = try Ingestor.ingest(paths: [folder.path])
        let graph = GraphBuilder.build(ingest)
        let split = graph.sessions.indices.filter { graph.sessions[$0].sessionId == GraphBuilderTests.sid }
        try #require(split.count == 2 && split.allSatisfy { graph.sessions[$0].splitFromSharedId })
        let alice = try #require(split.first { graph.sessions[$0].user == GraphBuilderTests.alice })
        let bob = try #require(split.first { graph.sessions[$0].user == GraphBuilderTests.bob })
        let findings = Detector.run(graph)
        try #require(findings.contains { $0.isAbout(graph.sessions[alice]) && $0.severity == .high })
        #expect(!findings.contains { $0.isAbout(graph.sessions[bob]) && $0.severity >= .medium })
        // Only Alice's session is flagged, ranked and drawn with her findings.
        let ranks = FindingsReport.flaggedRanks(findings, in: graph.sessions)
        #expect(ranks[alice] == 0 && ranks[bob] == nil)
        let bobDiagram = SessionDiagram().dot(graph.sessions[bob], in: graph, findings: findings)
        #expect(!bobDiagram.contains("tok-orphan-use") && !bobDiagram.contains("shape=note"), "no finding marked on Bob's diagram")
        // Both drawn: only Alice's session is counted as flagged, and only hers shows evidence.
        let html = BriefingReport(ingest: ingest, graph: graph, findings: findings, diagrams: [alice: "<svg></svg>", bob: "<svg></svg>"], generatedAt: UTCInstant(seconds: 0), inputs: ["x"]).html()
        #expect(!html.contains("have a finding of medium or higher"), "one flagged session")
        let articles = html.components(separatedBy: "<article class=\"session\">").dropFirst()
        let bobName = graph.sessions[bob].namedUser ?? "?", aliceName = graph.sessions[alice].namedUser ?? "?"
        let bobArticle = try #require(articles.first { $0.contains("· \(bobName)</h3>") })
        let aliceArticle = try #require(articles.first { $0.contains("· \(aliceName)</h3>") })
        #expect(!bobArticle.contains("sess-branch-new-net") && !bobArticle.contains("tok-orphan-use"), "Bob's session shows none of Alice's evidence")
        #expect(aliceArticle.contains("sess-branch-new-net"))
    }

    @Test("flagged ranks over a session id shared by six users match asking every session, for random findings")
    func flaggedRanksOfASharedIdMatchTheScan() throws {
        var lines = try GraphBuilderTests().fixtureLines()
        for user in 0..<5 {
            let id = String(format: "c3c3c3c3-0000-4000-8000-%012d", user)
            lines.append(GraphBuilderTests.signIn(String(format: "11111111-aaaa-4bbb-8ccc-%012d", 900 + user), "2026-03-02T08:4\(user):00Z",
                                                  interactive: true, ip: "203.0.113.\(30 + user)", asn: 3303, user: id))
        }
        let folder = try GraphBuilderTests.writeLines(lines)
        defer { try? FileManager.default.removeItem(at: folder) }
        let graph = GraphBuilder.build(try Ingestor.ingest(paths: [folder.path]))
        let shared = graph.sessions.indices.filter { graph.sessions[$0].sessionId == GraphBuilderTests.sid }
        try #require(shared.count == 6 && shared.allSatisfy { graph.sessions[$0].splitFromSharedId })
        let template = try #require(Detector.run(graph).first)
        let names = shared.map { graph.sessions[$0].namedUser } + [nil, "nobody@contoso.example"]
        let nodeCount = graph.nodes.count
        var random = SplitMix64(seed: 23)
        for _ in 0..<300 {
            let findings = (0..<Int.random(in: 1...12, using: &random)).map { _ -> Finding in
                var finding = template
                finding.sessionId = Bool.random(using: &random) ? GraphBuilderTests.sid : finding.sessionId
                finding.severity = [.low, .medium, .high][Int.random(in: 0...2, using: &random)]
                finding.user = names[Int.random(in: 0..<names.count, using: &random)]
                finding.evidence = Bool.random(using: &random) ? [] : finding.evidence.map { evidence in
                    var moved = evidence
                    moved.node = moved.node.map { _ in Int.random(in: 0..<nodeCount, using: &random) }
                    return moved
                }
                return finding
            }
            // The scan the layout replaced: every session of the id asked in order.
            var expected = [Int?](repeating: nil, count: graph.sessions.count)
            var next = 0
            for finding in findings where finding.severity >= .medium {
                for index in graph.sessions.indices where graph.sessions[index].sessionId == finding.sessionId
                    && expected[index] == nil && finding.isAbout(graph.sessions[index]) {
                    expected[index] = next
                    next += 1
                }
            }
            #expect(FindingsReport.flaggedRanks(findings, in: graph.sessions) == expected)
        }
    }

    @Test func staysWithinTheNodeBudget() async throws {
        var lines = try GraphBuilderTests().fixtureLines()
        for index in 0..<3000 {
            lines.append("""
            {"Type":"MicrosoftGraphActivityLogs","TimeGenerated":"2026-03-02T10:\(String(format: "%02d", index / 60 % 60)):\(String(format: "%02d", index % 60))Z","RequestId":"55555555-0000-4000-8000-\(String(format: "%012d", index))","SignInActivityId":"\(GraphBuilderTests.uti(for: "11111111-aaaa-4bbb-8ccc-000000000003"))","SessionId":"\(GraphBuilderTests.sid)","UserId":"\(GraphBuilderTests.alice)","IPAddress":"198.51.100.7","RequestMethod":"GET","RequestUri":"https://graph.microsoft.com/v1.0/sites/site\(index)/lists","ResponseStatusCode":200}
            """)
        }
        let folder = try GraphBuilderTests.writeLines(lines)
        defer { try? FileManager.default.removeItem(at: folder) }
        let ingest = try Ingestor.ingest(paths: [folder.path])
        let graph = GraphBuilder.build(ingest)
        let session = try #require(graph.sessions.first)
        #expect(ChainCollapser.collapse(session, in: graph).count > 300)
        let findings = Detector.run(graph)
        let dot = SessionDiagram(nodeBudget: 300).dot(session, in: graph, findings: findings)
        #expect(dot.contains("COLLAPSED"))
        // The report's timeline is cut too, and says how to list the whole session.
        try #require(findings.contains { $0.sessionId == GraphBuilderTests.sid && $0.severity >= .medium }, "the report shows flagged sessions only")
        let html = BriefingReport(ingest: ingest, graph: graph, findings: findings, diagrams: [0: "<svg></svg>"], generatedAt: UTCInstant(seconds: 0), inputs: ["x"]).html()
        #expect(html.contains("more; <code>sessiongraph session \(GraphBuilderTests.sid) &lt;inputs&gt;</code> lists them all"))
        let renderer = try #require(GraphvizRenderer.shared)
        let clock = ContinuousClock()
        let elapsed = try await clock.measure { _ = try await renderer.render(dot: dot, format: .svg) }
        #expect(elapsed < .seconds(30), "a render within the budget is bounded")
    }

    static func parsesAsXML(_ bytes: [UInt8]) -> Bool {
        XMLParser(data: Data(bytes)).parse()
    }

    /// A country from the log reaches the terminal's session view made safe, as its device and
    /// user are: no escape sequence of its own.
    @Test func countryInTheTerminalViewIsMadeSafe() throws {
        var lines = try GraphBuilderTests().fixtureLines()
        lines[0] = lines[0].replacingOccurrences(of: #""countryOrRegion":"CH""#, with: #""countryOrRegion":"\u001b[31mCH""#)
        let graph = GraphBuilder.build(try Ingestor.ingest(paths: [try GraphBuilderTests.writeLines(lines).path]))
        let text = SessionTextRenderer(graph: graph, time: try TimeDisplay()).render(graph.sessions[0])
        #expect(text.contains("country "))
        #expect(!text.unicodeScalars.contains("\u{1B}"))
    }
}
