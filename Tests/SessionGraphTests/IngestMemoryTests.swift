import Foundation
import Testing
@testable import SessionGraph

@Suite("Ingest memory: shared repeated strings, released mapped pages")
struct IngestMemoryTests {
    @Test("a long repeated value is held once for a file's events; short and per-event values are untouched")
    func repeatedValuesShared() throws {
        let scratch = try Scratch()
        let agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"
        let rows = (1...3).map { HX.row($0, [("UserAgent", "\"\(agent)\""), ("UniqueTokenIdentifier", "\"token-\($0)-abcdefghijklmnop\"")]) }
        let path = try scratch.write("shared.ndjson", rows.joined(separator: "\n") + "\n")
        let (report, events) = ingestOne(path)
        #expect(report.used == 3)
        #expect(events.allSatisfy { $0.userAgent == agent })
        #expect(Set(events.compactMap(\.uniqueTokenId)).count == 3)
        func storage(_ text: String?) -> UnsafeRawPointer? {
            guard var copy = text else { return nil }
            return copy.withUTF8 { UnsafeRawPointer($0.baseAddress) }
        }
        let addresses = Set(events.compactMap { storage($0.userAgent) })
        #expect(addresses.count == 1, "the three events hold one copy of the user agent")
    }

    @Test("a file longer than the page-release step is read whole and right: every record used, the last one intact")
    func releasedPagesStayReadable() throws {
        let scratch = try Scratch()
        let padding = String(repeating: "p", count: 900)
        var text = ""
        var count = 0
        while text.utf8.count < FileReader.releaseStep + (4 << 20) {
            count += 1
            text += HX.row(count, [("Padding", "\"\(padding)\"")]) + "\n"
        }
        let path = try scratch.write("large.ndjson", text)
        let (report, events) = ingestOne(path)
        #expect(report.read == count && report.used == count)
        #expect(events.map(\.recordId).last == HX.guid(count))
        #expect(Set(events.compactMap(\.recordId)).count == count)
    }
}
