import Foundation
import Testing
@testable import SessionGraph
@testable import SessionGraphSimulator

// Shared helpers for the ingest tests: where the public samples are, a scratch folder for
// fixtures written from strings, and the accounting check every file report must pass.

/// The package root: this file is `<root>/Tests/SessionGraphTests/TestSupport.swift`.
let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // SessionGraphTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()  // <root>

/// The read-only public samples, `<root>/../shared/samples`.
let samplesRoot: URL = packageRoot.deletingLastPathComponent()
    .appendingPathComponent("shared")
    .appendingPathComponent("samples")
    .standardizedFileURL

/// Whether the samples folder is present (it is not part of the package).
let samplesAvailable: Bool = {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: samplesRoot.path, isDirectory: &isDirectory) && isDirectory.boolValue
}()

/// The path of a sample, relative to the samples folder.
func samplePath(_ relative: String) -> String {
    samplesRoot.appendingPathComponent(relative).path
}

/// A fresh folder under the system temporary directory, removed when the value goes away.
final class Scratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sessiongraph-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` as UTF-8 (no byte-order mark) and returns the path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    /// Writes raw bytes and returns the path.
    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
        return file.path
    }
}

/// Ingests one file and returns its report and its events.
func ingestOne(_ path: String) -> (report: FileReport, events: [Event]) {
    let result = Ingestor.ingest(files: [path])
    return (result.files[0], result.events)
}

/// `read == used + duplicate + rejected` for a file.
func expectBalanced(_ report: FileReport, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(report.read == report.used + report.duplicate + report.rejected,
            "\(report.path): read \(report.read) != used \(report.used) + duplicate \(report.duplicate) + rejected \(report.rejected)",
            sourceLocation: sourceLocation)
}

/// `read == used + duplicate + rejected` for every file and for the totals, and the totals are
/// the sums of the files.
func expectBalanced(_ result: IngestResult, sourceLocation: SourceLocation = #_sourceLocation) {
    for report in result.files { expectBalanced(report, sourceLocation: sourceLocation) }
    let t = result.totals
    #expect(t.read == t.used + t.duplicate + t.rejected, "totals do not balance: \(t)", sourceLocation: sourceLocation)
    #expect(t.read == result.files.reduce(0) { $0 + $1.read }, sourceLocation: sourceLocation)
    #expect(t.used == result.files.reduce(0) { $0 + $1.used }, sourceLocation: sourceLocation)
    #expect(t.duplicate == result.files.reduce(0) { $0 + $1.duplicate }, sourceLocation: sourceLocation)
    #expect(t.rejected == result.files.reduce(0) { $0 + $1.rejected }, sourceLocation: sourceLocation)
    #expect(t.used == result.events.count, sourceLocation: sourceLocation)
    #expect(t.files == result.files.count, sourceLocation: sourceLocation)
}

/// The event read from the `record`-th record (1-based) of the file, or a failed requirement.
func event(_ events: [Event], record: Int, fileIndex: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> Event {
    try #require(events.first { $0.provenance.record == Int32(record) && $0.provenance.fileIndex == fileIndex },
                 "no event for record \(record) of file \(fileIndex)", sourceLocation: sourceLocation)
}

/// Whether any of the event's notes contains all the given fragments (case-insensitive).
func hasNote(_ event: Event, _ fragments: String...) -> Bool {
    event.notes.contains { note in
        let lower = note.lowercased()
        return fragments.allSatisfy { lower.contains($0.lowercased()) }
    }
}

/// The path of an executable gzip, when the machine has one.
let gzipPath: String? = ["/usr/bin/gzip", "/bin/gzip", "/usr/local/bin/gzip", "/opt/homebrew/bin/gzip"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

/// Compresses `bytes` with the system gzip (`gzip -c`).
func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let executable = try #require(gzipPath, "gzip not found")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = ["-c", "-n"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    // Write on another thread so a large input cannot deadlock against a full output pipe.
    let writer = input.fileHandleForWriting
    let data = Data(bytes)
    let thread = Thread {
        writer.write(data)
        try? writer.close()
    }
    thread.start()
    let compressed = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    return Array(compressed)
}

extension SplitMix64 {
    /// `count` bytes from the simulator's seeded generator, so every run writes the same
    /// "random" files.
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) } }
}

/// Where two long lists first differ: nil when they are equal, the shorter's length when one
/// ends early. For `#expect`, which prints both sides of a failed `==` whole.
func firstDifference<Element: Equatable>(_ a: [Element], _ b: [Element]) -> Int? {
    a.indices.first { $0 >= b.count || a[$0] != b[$0] } ?? (a.count == b.count ? nil : a.count)
}
