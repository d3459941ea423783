import Foundation
import Testing
@testable import SessionGraph
import SessionGraphRenderer

/// The briefing report opens in a real browser: headless Chromium (Debian's `chromium`, installed
/// by `make test` when missing) renders it to PNG and dumps its DOM; the page must have its
/// sections and log no console error or Content-Security-Policy violation.
@Suite(.serialized) struct ReportBrowserTests {
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    func report() async throws -> (URL, String) {
        let lines = try GraphBuilderTests().fixtureLines()
        let folder = try GraphBuilderTests.writeLines(lines)
        let ingest = try Ingestor.ingest(paths: [folder.path])
        let graph = GraphBuilder.build(ingest)
        let findings = Detector.run(graph)
        let dot = SessionDiagram().dot(graph.sessions[0], in: graph, findings: findings)
        let renderer = try #require(GraphvizRenderer.shared)
        let svg = String(decoding: try await renderer.render(dot: dot, format: .svg), as: UTF8.self)
        let html = BriefingReport(ingest: ingest, graph: graph, findings: findings, diagrams: [0: svg],
                                  generatedAt: UTCInstant(seconds: 1_772_438_400), inputs: [folder.path]).html()
        let page = folder.appendingPathComponent("report.html")
        try html.write(to: page, atomically: true, encoding: .utf8)
        return (folder, html)
    }

    func runChromium(_ arguments: [String]) throws -> (stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.chromium!)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--enable-logging=stderr", "--v=0"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test func reportIsSelfContained() async throws {
        let (folder, html) = try await report()
        defer { try? FileManager.default.removeItem(at: folder) }
        for section in ["id=\"summary\"", "id=\"findings\"", "id=\"sessions\"", "<svg"] {
            #expect(html.contains(section), "report.html lacks \(section)")
        }
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"), "no external resource")
        #expect(!html.contains("<link "))
    }

    @Test(.enabled(if: chromium != nil, "chromium is not installed (make test installs it)"))
    func reportRendersInHeadlessChromium() async throws {
        let (folder, _) = try await report()
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("report.html")
        let png = folder.appendingPathComponent("report.png")
        let shot = try runChromium(["--window-size=1400,2200", "--screenshot=\(png.path)", page.absoluteString])
        let bytes = try Data(contentsOf: png)
        #expect(Array(bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47], "a PNG was written")
        #expect(bytes.count > 20_000, "the page is not blank")
        let dom = try runChromium(["--dump-dom", page.absoluteString])
        for heading in ["Run summary", "Findings", "Flagged sessions", "Session <code>"] {
            #expect(dom.stdout.contains(heading), "rendered page lacks \(heading)")
        }
        #expect(dom.stdout.contains("<svg"))
        for log in [shot.stderr, dom.stderr] {
            let problems = log.split(separator: "\n").filter { line in
                line.contains("CONSOLE") && (line.contains("rror") || line.contains("Refused")) || line.contains("Uncaught")
                    || line.contains("Content Security Policy")
            }
            #expect(problems.isEmpty, "console errors: \(problems.prefix(3))")
        }
    }
}
