import Foundation
import Testing
@testable import SessionGraph

/// Outputs never escape their folder and are never left half-written.
@Suite struct OutputSafetyTests {
    @Test(arguments: ["../../x", "/etc/passwd", "..", "a/b", "00aa0001-1111-2222-3333-444455556666/../..", "", String(repeating: "f", count: 10_000), "C:\\evil", "x\u{0}y"])
    func hostileSessionIdsStayInsideTheFolder(id: String) throws {
        let name = OutputFile.sessionFileName(sessionId: id, index: 7, shared: false)
        #expect(!name.contains("/") && !name.contains("\\") && !name.contains("\u{0}") && name != ".." && !name.isEmpty)
        #expect(name.utf8.count <= 64)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sg-out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("sessions").appendingPathComponent(name).appendingPathExtension("dot")
        try OutputFile.write("digraph {}", to: target.path)
        #expect(target.standardizedFileURL.path.hasPrefix(folder.standardizedFileURL.path + "/"))
    }

    @Test func aGUIDSessionIdIsItsOwnName() {
        #expect(OutputFile.sessionFileName(sessionId: "00aa0001-1111-2222-3333-444455556666", index: 3, shared: false) == "00aa0001-1111-2222-3333-444455556666")
        #expect(OutputFile.sessionFileName(sessionId: "00aa0001-1111-2222-3333-444455556666", index: 3, shared: true) == "00aa0001-1111-2222-3333-444455556666-3")
    }

    /// A run interrupted while it writes leaves the previous outputs whole: files are written to
    /// a temporary name and renamed. The interrupted process is the real command line tool, killed
    /// with SIGINT while it analyses a generated tenant.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: OutputSafetyTests.tool.path), "the sessiongraph binary is not built"))
    func anInterruptedRunLeavesThePreviousOutputsIntact() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("sg-int-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let tenant = work.appendingPathComponent("tenant"), out = work.appendingPathComponent("out")
        try run(["simulate", "--users", "300", "--days", "1", "--seed", "3", "--layout", "ndjson", "--out", tenant.path, "--quiet"])
        try run(["analyze", tenant.path, "--out", out.path, "--quiet", "--render", "none"])
        let before = try Data(contentsOf: out.appendingPathComponent("findings.json"))
        for delay in [0.05, 0.3, 0.8] {
            let process = Process()
            process.executableURL = Self.tool
            process.arguments = ["analyze", tenant.path, "--out", out.path, "--quiet", "--render", "none"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            process.interrupt()
            process.waitUntilExit()
            let after = try Data(contentsOf: out.appendingPathComponent("findings.json"))
            let parsed = try JSONSerialization.jsonObject(with: after) as? [String: Any]
            #expect(parsed?["findings"] != nil, "findings.json is whole after an interrupt at \(delay) s")
            // Either the old file, or a complete new one of the same findings.
            let oldFindings = (try JSONSerialization.jsonObject(with: before) as? [String: Any])?["findings"] as? [[String: Any]]
            #expect((parsed?["findings"] as? [[String: Any]])?.count == oldFindings?.count)
        }
    }

    static let tool = packageRoot.appendingPathComponent(".build/debug/sessiongraph")

    func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = Self.tool
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "sessiongraph \(arguments.joined(separator: " ")) failed")
    }
}
