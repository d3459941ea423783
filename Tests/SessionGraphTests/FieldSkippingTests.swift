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

    @Test("a CSV cell of JSON object text is read as a record: unread members stepped over, the same value or nil as a whole parse")
    func csvJSONCellsReadAsRecords() {
        // One parser for every cell, as for a file's: a broken cell leaves nothing to the next.
        let shared = JSONCellParser(), recordCells = JSONCellParser()
        let columns = CSVColumns(header: ["AuditData"], repeats: false)
        func cell(_ text: String, skipping: Bool) -> StructuredField? {
            var text = text
            return text.withUTF8 { CSVRecord(cells: [$0], columns: columns, cellParser: skipping ? shared : nil).structured(.auditData) }
        }
        func keys(_ field: StructuredField?) -> [String]? {
            guard case .object(let record)? = field else { return nil }
            return record.keys
        }
        let audit = #" {"Operation":"New-InboxRule","Unread":{"deep":[1,{"x":"y"}]},"UserId":"a@b.example"} "#
        #expect(keys(cell(audit, skipping: true)) == ["Operation", "UserId"])
        #expect(keys(cell(audit, skipping: false)) == ["Operation", "Unread", "UserId"])
        #expect(cell(audit, skipping: true)?.record?.text(.operation) == "New-InboxRule")
        // Not one JSON object: nil, as for a whole parse.
        for broken in [#"{"Operation":"x"} trailing"#, #"{"Unread":[1,}"#, #"{"Operation":"x""#] {
            #expect(cell(broken, skipping: true) == nil && cell(broken, skipping: false) == nil, "\(broken)")
        }
        // Malformed only inside a member no mapper reads: read, as a JSON file's record is (the
        // skipped value is checked for its brackets and quotes only); a whole parse refuses it.
        for lenient in [#"{"Unread":[1,},"Operation":"x"}"#, #"{"Unread":"\q","Operation":"x"}"#] {
            #expect(cell(lenient, skipping: true)?.record?.text(.operation) == "x" && cell(lenient, skipping: false) == nil, "\(lenient)")
        }
        #expect(keys(cell(audit, skipping: true)) == ["Operation", "UserId"])
        // Read flat before interpretation, as the reader does: the same members and values, or
        // nil, as the tree of the same cell.
        func flat(_ text: String) -> (keys: [String], operation: String?)? {
            var text = text
            return text.withUTF8 { bytes in
                CSVRecord(cells: [bytes], columns: columns, cellParser: shared).withRecordColumnRead(parser: recordCells) { record in
                    record.object(.auditData).map { ($0.keys, $0.text(.operation)) }
                }
            }
        }
        for text in [audit, #"{"Operation":"x"} trailing"#, #"{"Unread":[1,}"#, #"{"Unread":[1,},"Operation":"x"}"#, #"{"Operation":"a\u0062"}"#] {
            let tree = cell(text, skipping: true)
            #expect(flat(text)?.keys == keys(tree) && flat(text)?.operation == tree?.record?.text(.operation), "\(text)")
        }
        #expect(columns.recordColumn == .auditData && CSVColumns(header: ["Timestamp", "rawEventData"], repeats: false).recordColumn == .rawEventData)
        #expect(CSVColumns(header: ["TimeGenerated", "DeviceDetail"], repeats: false).recordColumn == nil)
        #expect(flat(audit)?.operation == "New-InboxRule" && flat(#"{"Operation":"a\u0062"}"#)?.operation == "ab")
        // Array text is read as before.
        guard case .array(let items)? = cell(#"[{"Name":"a"}]"#, skipping: true) else {
            Issue.record("array cell not read as an array")
            return
        }
        #expect(items.count == 1)
    }
}
