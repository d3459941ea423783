import Foundation
import Testing
@testable import SessionGraph

/// Skipping the members the mappers never read (``ReadFields``) must change no event: the same
/// inputs read with and without skipping give the same event stream, field for field.
@Suite struct FieldSkippingTests {
    static let examples = packageRoot.appendingPathComponent("Examples")

    func events(_ paths: [String], skipping: Bool) throws -> [String] {
        var options = IngestOptions()
        options.limits.skipUnusedFields = skipping
        let result = try Ingestor.ingest(paths: paths, options: options)
        let files = result.files.map(\.path)
        return result.events.map { EventExporter.jsonLine($0, files: files) }
    }

    @Test(.enabled(if: samplesAvailable, "../shared/samples is not present"))
    func samplesReadTheSameWithAndWithoutSkipping() throws {
        let paths = [samplesRoot.path]
        let skipped = try events(paths, skipping: true)
        let full = try events(paths, skipping: false)
        #expect(skipped.count == full.count)
        for (a, b) in zip(skipped, full) where a != b {
            Issue.record("event differs when unused fields are skipped:\n\(a)\n\(b)")
            break
        }
    }

    @Test func examplesReadTheSameWithAndWithoutSkipping() throws {
        let skipped = try events([Self.examples.path], skipping: true)
        let full = try events([Self.examples.path], skipping: false)
        #expect(skipped.count > 700)
        #expect(skipped == full)
    }
}
