import Testing
@testable import SessionGraph

/// Inputs that crashed a fuzz harness (`make fuzz`), kept as regression checks.
@Suite struct FuzzRegressionTests {
    /// timestamp harness, crash-d3d8d3fd…: a 16-digit epoch value overflowed the conversion to
    /// microseconds and trapped.
    @Test(arguments: ["1759394793947222", "9223372036854775807", "99999999999999999999"])
    func hugeEpochValuesAreRefusedNotTrapped(text: String) {
        guard case .failure = TimestampParser.parse(text) else {
            Issue.record("\(text) should be refused as out of range")
            return
        }
    }

    @Test func hugeEpochNumbersInJSONAreRejectedWithTheField() throws {
        let line = #"{"Type":"MicrosoftGraphActivityLogs","TimeGenerated":"2026-03-02T10:00:00Z","RequestId":"9a9a9a9a-0000-4000-8000-000000000001","C_Iat":1759394793947222,"RequestMethod":"GET","RequestUri":"https://graph.microsoft.com/v1.0/me"}"#
        let graph = try GraphBuilderTests.ingestLines([line])
        let event = try #require(graph.events.first)
        #expect(event.tokenIssuedAt == nil)
        #expect(event.notes.contains { $0.contains("C_Iat") })
    }
}

/// dot-escaping harness, crash-dcce2196…: `"` followed by a combining mark (U+07A7) is one
/// Character unequal to `"`; escaping by Character let the quote through raw into DOT.
@Suite struct CombiningMarkEscapingTests {
    static let inputs = ["\"\u{07A7}\u{FFFD}\\", "\"\u{0301}", "\\\u{0301}\"", "a\"\u{20DD}b,c"]

    @Test(arguments: inputs)
    func dotLabelsEscapeQuotesWithCombiningMarks(text: String) {
        for escaped in [DOTText.label(text), DOTText.tooltip(text)] {
            var backslashes = 0
            for scalar in escaped.unicodeScalars {
                if scalar == "\"" { #expect(backslashes % 2 == 1, "raw quote in \(escaped.debugDescription)") }
                backslashes = scalar == "\\" ? backslashes + 1 : 0
            }
            #expect(backslashes % 2 == 0)
        }
    }

    @Test(arguments: inputs)
    func csvCellsQuoteQuotesWithCombiningMarks(text: String) {
        let cell = EventExporter.csvCell(text)
        let scalars = Array(cell.unicodeScalars)
        if text.unicodeScalars.contains("\"") || text.unicodeScalars.contains(",") {
            #expect(scalars.first == "\"" && scalars.last == "\"")
            let inner = scalars.dropFirst().dropLast()
            var index = inner.startIndex
            while index < inner.endIndex {
                if inner[index] == "\"" {
                    #expect(index + 1 < inner.endIndex && inner[index + 1] == "\"", "lone quote in \(cell.debugDescription)")
                    index += 2
                } else {
                    index += 1
                }
            }
        }
    }
}
