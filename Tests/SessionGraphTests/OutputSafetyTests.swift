import CFileReplace
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

    /// Replacing: an existing file is swapped with the new one and the old one removed; a
    /// missing target is created; a folder in the way is an error, and is left where it was.
    @Test func replacingAFileLeavesOnlyTheNewOneAndNeverMovesAFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sg-replace-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("findings.json").path
        try OutputFile.write("first", to: path)
        try OutputFile.write("second, longer than the first", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second, longer than the first")
        try OutputFile.stream(to: path) { $0.write("third") }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "third")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["findings.json"])
        // A folder where the file should go: the write fails, the folder keeps its name and
        // content, and no temporary file is left.
        let blocked = folder.appendingPathComponent("report.html")
        try FileManager.default.createDirectory(at: blocked, withIntermediateDirectories: true)
        try "kept".write(to: blocked.appendingPathComponent("inside"), atomically: false, encoding: .utf8)
        #expect(throws: (any Error).self) { try OutputFile.write("html", to: blocked.path) }
        #expect(try String(contentsOf: blocked.appendingPathComponent("inside"), encoding: .utf8) == "kept")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["findings.json", "report.html"])
    }

    /// The swap itself (Linux): each name then holds the other's file. Without it, replacing
    /// falls back to a rename, which looks the same from outside.
    #if os(Linux)
    @Test func exchangingTwoFilesSwapsTheirContents() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sg-swap-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let first = folder.appendingPathComponent("first").path, second = folder.appendingPathComponent("second").path
        try "one".write(toFile: first, atomically: false, encoding: .utf8)
        try "two".write(toFile: second, atomically: false, encoding: .utf8)
        guard sessiongraph_exchange_files(first, second) == 0 else {
            // A file system that cannot swap (EINVAL) takes the rename path; nothing to check.
            #expect(errno == EINVAL || errno == ENOSYS, "errno \(errno)")
            return
        }
        #expect(try String(contentsOfFile: first, encoding: .utf8) == "two")
        #expect(try String(contentsOfFile: second, encoding: .utf8) == "one")
        #expect(sessiongraph_exchange_files(first, folder.appendingPathComponent("missing").path) == -1 && errno == ENOENT)
    }
    #endif

    /// A run interrupted while it writes leaves the previous outputs whole: files are written to
    /// a temporary name and then put in place. The interrupted process is the real command line tool, killed
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

    /// `--max-diagrams`: only the highest-ranked flagged sessions are drawn (the session of the
    /// first finding of medium or higher comes first); the command and the report say how many
    /// flagged sessions were left undrawn, and no file is written for them.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: OutputSafetyTests.tool.path), "the sessiongraph binary is not built"))
    func diagramsAreCappedHighestRankedFirst() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("sg-cap-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let tenant = work.appendingPathComponent("tenant")
        // Seed 1: the two highest-ranked sessions came second and first in session order.
        try run(["simulate", "--users", "300", "--days", "1", "--seed", "1", "--layout", "ndjson", "--out", tenant.path, "--quiet"])
        for cap in [1, 0, 2] {
            let out = work.appendingPathComponent("out-\(cap)")
            let said = try run(["analyze", tenant.path, "--out", out.path, "--quiet", "--max-diagrams", String(cap)])
            func document(_ name: String) throws -> [String: Any]? {
                try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent(name))) as? [String: Any]
            }
            let findings = try #require(try document("findings.json")?["findings"] as? [[String: Any]])
            let flagged = findings.filter { ["medium", "high"].contains($0["severity"] as? String) }.compactMap { $0["sessionId"] as? String }
            let sessions = try #require(try document("sessions.json")?["sessions"] as? [[String: Any]])
            // Sessions, not ids: one id used by two users is two sessions.
            let flaggedSessions = sessions.filter { Set(flagged).contains($0["sessionId"] as? String ?? "") }.count
            try #require(flaggedSessions >= 3, "the tenant needs three flagged sessions for a cap of two to leave one out")
            let drawn = (try? FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("sessions").path)) ?? []
            let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
            #expect(said.contains("Drew \(cap) of \(flaggedSessions) flagged sessions, highest-ranked first (--max-diagrams \(cap))"), "\(said)")
            if cap == 1 {
                // The full and suspicious views of the top-ranked session, DOT and SVG.
                #expect(drawn.count == 4 && drawn.allSatisfy { $0.hasPrefix(flagged[0]) }, "\(drawn)")
                #expect(html.contains("\(flaggedSessions) sessions have a finding of medium or higher; 1 is drawn here."))
            } else if cap == 0 {
                #expect(drawn.isEmpty, "\(drawn)")
                #expect(html.contains("\(flaggedSessions) sessions have a finding of medium or higher; none is drawn here."))
            } else {
                #expect(drawn.count == 8, "\(drawn)")
                #expect(html.contains("\(flaggedSessions) sessions have a finding of medium or higher; 2 are drawn here."))
                // The report shows the drawn sessions in rank order, as the findings table has them.
                var ranked: [String] = []
                for id in flagged where !ranked.contains(id) { ranked.append(id) }
                let shown = html.components(separatedBy: "<h3>Session <code>").dropFirst().map { String($0.prefix { $0 != "<" }) }
                #expect(shown == Array(ranked.prefix(cap)), "\(shown) against \(ranked.prefix(cap))")
            }
        }
    }

    /// A run into the folder of an earlier one leaves only its own session diagrams: an earlier
    /// run's diagrams of sessions it does not draw are removed (they would be taken for this
    /// run's), and nothing else in the folder is touched.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: OutputSafetyTests.tool.path), "the sessiongraph binary is not built"))
    func anEarlierRunsDiagramsAreRemovedAndNothingElse() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("sg-stale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let tenant = work.appendingPathComponent("tenant"), out = work.appendingPathComponent("out")
        let sessions = out.appendingPathComponent("sessions")
        try run(["simulate", "--users", "300", "--days", "1", "--seed", "1", "--layout", "ndjson", "--out", tenant.path, "--quiet"])
        try run(["analyze", tenant.path, "--out", out.path, "--quiet", "--max-diagrams", "2"])
        let two = Set(try FileManager.default.contentsOfDirectory(atPath: sessions.path))
        try #require(two.count == 8)
        // What is not an earlier run's diagram stays: other names, a link and a folder named as
        // diagrams are, and the file the link points to.
        let outside = work.appendingPathComponent("kept.svg")
        try Data("kept".utf8).write(to: outside)
        let others = ["notes.txt", "face.svg", "00000000-0000-0000-0000-00000000000g.svg", "session-x.dot"]
        for name in others { try Data("mine".utf8).write(to: sessions.appendingPathComponent(name)) }
        try FileManager.default.createSymbolicLink(atPath: sessions.appendingPathComponent("11111111-2222-3333-4444-555555555555.svg").path, withDestinationPath: outside.path)
        try FileManager.default.createDirectory(at: sessions.appendingPathComponent("11111111-2222-3333-4444-666666666666.dot"), withIntermediateDirectories: false)
        let said = try run(["analyze", tenant.path, "--out", out.path, "--max-diagrams", "1"])
        let one = Set(try FileManager.default.contentsOfDirectory(atPath: sessions.path))
        let named = ["11111111-2222-3333-4444-555555555555.svg", "11111111-2222-3333-4444-666666666666.dot"]
        let drawn = one.filter { OutputFile.isDiagramName($0) }.subtracting(named)
        #expect(drawn.count == 4 && drawn.isSubset(of: two), "\(drawn)")
        #expect(one == drawn.union(others + named), "\(one)")
        #expect(said.contains("removed 4 diagram files of an earlier run's sessions"), "\(said)")
        #expect(try String(contentsOf: outside, encoding: .utf8) == "kept")
        // A run that draws what is there removes nothing and says nothing of it.
        #expect(!(try run(["analyze", tenant.path, "--out", out.path, "--max-diagrams", "1"])).contains("removed"))
        // `--render all` draws sessions that are not flagged, without their suspicious view: an
        // earlier run's suspicious view of such a session goes.
        try run(["analyze", tenant.path, "--out", out.path, "--render", "all", "--max-diagrams", "6", "--quiet"])
        let all = Set(try FileManager.default.contentsOfDirectory(atPath: sessions.path)).filter { OutputFile.isDiagramName($0) }.subtracting(named)
        let unflagged = all.filter { $0.hasSuffix(".svg") && !$0.contains(".suspicious") && !all.contains(String($0.dropLast(4)) + ".suspicious.svg") }
        let planted = String(try #require(unflagged.sorted().first).dropLast(4)) + ".suspicious.svg"
        try Data("an earlier run's view".utf8).write(to: sessions.appendingPathComponent(planted))
        let again = try run(["analyze", tenant.path, "--out", out.path, "--render", "all", "--max-diagrams", "6"])
        #expect(again.contains("removed 1 diagram file"), "\(again)")
        #expect(!FileManager.default.fileExists(atPath: sessions.appendingPathComponent(planted).path))
    }

    @Test func diagramNamesAreTheOnesSessionFileNameGives() {
        let guid = "0a1b2c3d-0000-4000-8000-000000000001"
        for name in [OutputFile.sessionFileName(sessionId: guid, index: 7, shared: false), OutputFile.sessionFileName(sessionId: guid, index: 7, shared: true),
                     OutputFile.sessionFileName(sessionId: "../x", index: 12, shared: false), OutputFile.sessionFileName(sessionId: "../x", index: 12, shared: true)] {
            for suffix in [".dot", ".svg", ".suspicious.dot", ".suspicious.svg"] {
                #expect(OutputFile.isDiagramName(name + suffix), "\(name + suffix)")
            }
            #expect(!OutputFile.isDiagramName(name + ".png") && !OutputFile.isDiagramName(name))
        }
        for name in ["face.svg", "dead-beef.dot", "0A1B2C3D-0000-4000-8000-000000000001.svg", guid + "-.svg", guid + "-x.dot", "session-.dot", "session-1-2-3.svg",
                     ".svg", "session.dot", guid + ".suspicious.suspicious.svg", "../" + guid + ".svg",
                     "session-5\u{301}.dot", "0\u{301}a1b2c3d-0000-4000-8000-000000000001.svg", "0a1b2c3d-0000-4000-8000-00000000000\u{661}.svg"] {
            #expect(!OutputFile.isDiagramName(name), "\(name)")
        }
    }

    /// The removal follows no link: a `sessions` folder that is a link is left alone, and so is
    /// a link inside it named as a diagram.
    @Test func earlierDiagramsAreRemovedThroughNoLink() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("sg-links-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let real = work.appendingPathComponent("real"), link = work.appendingPathComponent("link")
        try FileManager.default.createDirectory(at: real, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: real.path)
        let name = "0a1b2c3d-0000-4000-8000-000000000001.svg"
        try Data("earlier".utf8).write(to: real.appendingPathComponent(name))
        try FileManager.default.createSymbolicLink(atPath: real.appendingPathComponent("0a1b2c3d-0000-4000-8000-000000000002.dot").path,
                                                   withDestinationPath: real.appendingPathComponent(name).path)
        #expect(OutputFile.removeEarlierDiagrams(in: link.path, keeping: []) == 0)
        #expect(FileManager.default.fileExists(atPath: real.appendingPathComponent(name).path))
        #expect(OutputFile.removeEarlierDiagrams(in: real.path, keeping: [name]) == 0)
        #expect(OutputFile.removeEarlierDiagrams(in: real.path, keeping: []) == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: real.path) == ["0a1b2c3d-0000-4000-8000-000000000002.dot"])
    }

    static let tool = packageRoot.appendingPathComponent(".build/debug/sessiongraph")

    /// Runs the command, which must succeed; what it printed on standard output.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = Self.tool
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "sessiongraph \(arguments.joined(separator: " ")) failed")
        return String(decoding: data, as: UTF8.self)
    }
}

@Suite("JSON string escaping")
struct JSONStringEscapingTests {
    /// Scalar by scalar, as the writer escaped before it appended runs whole: the oracle.
    static func reference(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{2028}": text += "\\u2028"
            case "\u{2029}": text += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    text += "\\u00" + String(format: "%02x", scalar.value)
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        return text + "\""
    }

    @Test func runsAndEscapesEqualTheScalarWalk() throws {
        let pieces = ["a", "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "…", "’", "\u{2028}", "\u{2029}", "\u{2027}", "\u{202A}",
                      "é", "e\u{301}", "🙂", "\u{E2}", "plain text ", "\u{FEFF}"]
        var state: UInt64 = 42
        for _ in 0..<3000 {
            var value = ""
            state = state &* 6_364_136_223_846_793_005 &+ 1
            for step in 0..<Int(state >> 60) + 1 {
                value += pieces[Int((state >> UInt64(step * 5 % 55)) & 0x1F) % pieces.count]
            }
            var written = ""
            appendJSONString(value, to: &written)
            #expect(written == Self.reference(value))
            // Foundation's reader drops some byte-order marks inside strings (a quirk of its
            // own): compared without them, the rest reads back.
            let parsed = try JSONSerialization.jsonObject(with: Data("[\(written)]".utf8)) as? [String]
            let read = parsed?.first?.unicodeScalars.filter { $0 != "\u{FEFF}" }
            #expect(read?.elementsEqual(value.unicodeScalars.filter { $0 != "\u{FEFF}" }) == true)
        }
    }

    @Test(arguments: [0, 1, -1, 9, 10, -10, 99, 100, 1_234_567, Int.max, Int.min, Int.min + 1])
    func decimalsAreWrittenAsSwiftWritesThem(value: Int) {
        var bytes: [UInt8] = []
        appendDecimal(value, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == String(value))
    }

    /// The object writer builds bytes: members, nested objects, lists and nulls read back as the
    /// values written, with the log text escaped.
    @Test func objectWriterReadsBack() throws {
        var object = JSONObjectWriter(includeNulls: true)
        object.string("s", "a\"b\u{2028}</script>")
        object.int("i", -42)
        object.double("d", 0.5)
        object.bool("b", false)
        object.string("n", nil)
        object.strings("l", ["x", "\n"])
        object.objects("o", [1, 2]) { item, entry in
            entry.int("v", item)
            entry.strings("e", [], keepEmpty: true)
        }
        object.objects("empty", [Int]()) { _, _ in }
        let text = object.finish()
        #expect(text == #"{"s":"a\"b\u2028</script>","i":-42,"d":0.5,"b":false,"n":null,"l":["x","\n"],"o":[{"v":1,"e":[]},{"v":2,"e":[]}],"empty":[]}"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(parsed?["s"] as? String == "a\"b\u{2028}</script>")
        #expect((parsed?["o"] as? [[String: Any]])?.count == 2)

        // Items holding items: each level hands its buffer down and takes it back.
        var outer = JSONObjectWriter()
        outer.objects("a", 0..<3) { i, entry in
            entry.int("i", i)
            entry.objects("b", 0..<i) { j, inner in inner.int("j", j) }
            entry.string("after", "x")
        }
        outer.int("end", 1)
        #expect(outer.finish() == #"{"a":[{"i":0,"b":[],"after":"x"},{"i":1,"b":[{"j":0}],"after":"x"},{"i":2,"b":[{"j":0},{"j":1}],"after":"x"}],"end":1}"#)
    }
}

