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

    @Test("the packed fields give back what was set: optional numbers, the request id beside the record id, rare fields per copy")
    func packedFieldsRoundTrip() {
        var event = Event(time: UTCInstant(seconds: 1_700_000_000), source: .signInLogs, shape: .logAnalyticsNDJSON, kind: .signIn,
                          provenance: Provenance(fileIndex: 0, line: 1, record: 1))
        #expect(event.asn == nil && event.latitude == nil && event.longitude == nil && event.tokenIssuedAt == nil && event.itemCount == nil)
        event.asn = 0
        event.latitude = -0.0
        event.longitude = 151.2
        event.tokenIssuedAt = UTCInstant(microseconds: 0)
        #expect(event.asn == 0 && event.latitude == 0 && event.latitude?.sign == .minus && event.longitude == 151.2)
        #expect(event.tokenIssuedAt == UTCInstant(microseconds: 0))
        event.latitude = nil
        #expect(event.latitude == nil && event.longitude == 151.2 && event.asn == 0)

        let record = "6c0f8f2e-4a1b-4c3d-9e8f-0a1b2c3d4e5f"
        event.recordId = record
        event.requestId = record
        #expect(event.requestId == record)
        event.recordId = "another-record"
        #expect(event.requestId == record && event.recordId == "another-record", "the request id keeps its value when the record id changes")
        event.requestId = "a-request-of-its-own"
        event.recordId = record
        #expect(event.requestId == "a-request-of-its-own" && event.recordId == record)
        event.requestId = nil
        #expect(event.requestId == nil && event.recordId == record)

        event.notes = ["first"]
        event.itemCount = 3
        var copy = event
        copy.notes.append("second")
        copy.parameters = [NameValue(name: "Name", value: "x")]
        #expect(event.notes == ["first"] && event.parameters.isEmpty && event.itemCount == 3)
        #expect(copy.notes == ["first", "second"] && copy.parameters.count == 1 && copy.itemCount == 3)
    }
}
