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
