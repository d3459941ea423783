import Foundation
import Testing
@testable import SessionGraph
import SessionGraphSimulator

/// The benchmark's tenant: the same seed gives the same bytes whatever the number of threads,
/// and what analysis flags at medium or higher is exactly the incidents planted in truth.json.
@Suite struct SimulatorTests {
    static func simulate(_ layout: SimulatorLayout, threads: Int, into folder: URL) throws -> SimulationSummary {
        try Simulator.run(SimulatorConfiguration(users: 120, days: 1, seed: 11, layout: layout, startDate: "2026-03-02",
                                                 outputDirectory: folder.path, threads: threads))
    }

    /// Every file under `folder`, by relative path, with its bytes.
    static func contents(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for path in try FileManager.default.subpathsOfDirectory(atPath: folder.path) {
            let url = folder.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[path] = try Data(contentsOf: url)
            }
        }
        return files
    }

    @Test(arguments: SimulatorLayout.allCases) func sameSeedSameBytes(layout: SimulatorLayout) throws {
        let scratch = try Scratch()
        let one = scratch.url.appendingPathComponent("one"), two = scratch.url.appendingPathComponent("two")
        _ = try Self.simulate(layout, threads: 1, into: one)
        _ = try Self.simulate(layout, threads: 2, into: two)
        let a = try Self.contents(one), b = try Self.contents(two)
        #expect(a.count >= 4 && a.keys.contains("truth.json"))
        #expect(a == b, "the same seed writes the same files, byte for byte")
    }

    @Test func analysisFlagsExactlyThePlantedIncidents() throws {
        let scratch = try Scratch()
        let summary = try Self.simulate(.ndjson, threads: 2, into: scratch.url)
        #expect(summary.incidents.count == 3, "one of each scenario at 120 users")
        let result = try Ingestor.ingest(files: Ingestor.inputFiles([scratch.url.path]).filter { $0.hasSuffix(".ndjson") })
        #expect(result.totals.rejected == 0 && result.totals.used > 5_000)
        let graph = GraphBuilder.build(result)
        let flagged = Set(Detector.run(graph).filter { $0.severity >= .medium }.compactMap(\.sessionId))
        #expect(flagged == Set(summary.incidents.map(\.sessionId)))
    }
}
