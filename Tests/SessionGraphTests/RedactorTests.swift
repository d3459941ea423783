import Foundation
import Testing
@testable import SessionGraph
@testable import SessionGraphSimulator

/// `--redact`: one consistent pseudonym per value across every output; /24 groups and ASNs stay
/// visible; nothing identifying is left.
@Suite struct RedactorTests {
    @Test func pseudonymisesConsistentlyAcrossOutputs() throws {
        let graph = try GraphBuilderTests().fixture()
        let findings = Detector.run(graph)
        let redactor = Redactor(events: graph.events)
        var diagram = SessionDiagram()
        diagram.textFilter = { redactor.apply($0) }
        let dot = diagram.dot(graph.sessions[0], in: graph, findings: findings)
        let json = String(decoding: redactor.apply(FindingsReport.document(findings, inputs: ["x"], generatedAt: UTCInstant(seconds: 0))), as: UTF8.self)
        for secret in ["alice@contoso.example", "203.0.113.10", "198.51.100.7", "dev-laptop", GraphBuilderTests.alice] {
            #expect(!dot.contains(secret), "DOT still shows \(secret)")
            #expect(!json.contains(secret), "findings still show \(secret)")
        }
        // The same value has the same pseudonym everywhere; two addresses of one /24 share a prefix.
        let pseudonym = try #require(redactor.mapping.first { $0.original == "203.0.113.10" }?.pseudonym)
        let sibling = try #require(redactor.mapping.first { $0.original == "203.0.113.11" }?.pseudonym)
        #expect(dot.contains(pseudonym))
        #expect(pseudonym.split(separator: ".").prefix(3) == sibling.split(separator: ".").prefix(3))
        #expect(pseudonym.hasSuffix(".10") && sibling.hasSuffix(".11"))
        #expect(dot.contains("AS14061"), "ASNs stay visible")
        // The briefing, redacted text by text before it escapes and cuts.
        var report = BriefingReport(ingest: try Ingestor.ingest(paths: [try GraphBuilderTests.writeLines(try GraphBuilderTests().fixtureLines()).path]),
                                    graph: graph, findings: findings, diagrams: [:], generatedAt: UTCInstant(seconds: 0), inputs: ["x"])
        report.textFilter = { redactor.apply($0) }
        let html = report.html()
        for secret in ["alice@contoso.example", "203.0.113.10", "dev-laptop", GraphBuilderTests.alice] {
            #expect(!html.contains(secret), "report.html still shows \(secret)")
        }
        let alice = try #require(redactor.mapping.first { $0.original == "alice@contoso.example" }?.pseudonym)
        #expect(html.contains(alice))
        let map = String(decoding: redactor.mappingDocument(), as: UTF8.self)
        #expect(map.contains("alice@contoso.example"), "the mapping keeps the originals for the analyst")
    }

    /// A value is replaced as each output escapes it: an apostrophe in HTML, a quote in JSON and
    /// DOT, a hyphen in Graphviz's SVG; and a long output is done in one pass.
    @Test func replacesValuesAsEachOutputWritesThem() {
        var event = Event(time: UTCInstant(seconds: 0), source: .signInLogs, shape: .logAnalyticsNDJSON, kind: .signIn,
                          provenance: Provenance(fileIndex: 0, line: 1, record: 1))
        event.userPrincipalName = "dara-o@contoso.example"
        event.userDisplayName = "Dara \"D\" O'Neil"
        event.deviceName = "DESKTOP-4F2K"
        let redactor = Redactor(events: [event])
        let page = "<td>\(HTMLText.escape("Dara \"D\" O'Neil"))</td><text>DESKTOP&#45;4F2K</text> \(jsonString("Dara \"D\" O'Neil")) label=\"\(DOTText.label("Dara \"D\" O'Neil"))\" Dara-O@Contoso.Example"
        let shown = redactor.apply(page)
        for secret in ["Dara", "O&#39;Neil", "O'Neil", "4F2K", "contoso"] {
            #expect(!shown.contains(secret), "\(secret) is left in \(shown)")
        }
        #expect(shown.contains("person-1") && shown.contains("host-1") && shown.contains("user-1"))
        #expect(String(decoding: redactor.apply(Data(page.utf8)), as: UTF8.self) == shown)
    }

    /// Whole words only: a short local part or a value that is also part of a key is not
    /// replaced inside words; and a finding is redacted before the table cuts its user short.
    @Test func replacesWholeValuesOnlyAndBeforeCutting() {
        var short = Event(time: UTCInstant(seconds: 0), source: .signInLogs, shape: .logAnalyticsNDJSON, kind: .signIn,
                          provenance: Provenance(fileIndex: 0, line: 1, record: 1))
        short.userPrincipalName = "ed@contoso.example"
        short.userDisplayName = "Tim"
        var long = short
        long.userPrincipalName = "alexandra.konstantinopoulou-papadopoulou_partner-firm.co.uk#ext#@contoso.example"
        let redactor = Redactor(events: [short, long])
        #expect(!redactor.mapping.contains { $0.original == "ed" }, "a local part under 3 characters is no value of its own")
        let json = #"{"used":1,"generatedAt":"x","rootTime":"Tim","user":"ed@contoso.example"}"#
        #expect(redactor.apply(json) == #"{"used":1,"generatedAt":"x","rootTime":"person-1","user":"user-1"}"#)
        let finding = Finding(id: "f", rule: "r", family: .contextDivergence, severity: .high, sessionId: nil, user: long.userPrincipalName,
                              firstSeen: "2026-03-02T08:00:00Z", lastSeen: "2026-03-02T08:00:00Z", summary: "s", reason: "by \(long.userPrincipalName!)",
                              branch: nil, adjustments: [], evidence: [], evidenceCount: 0)
        let table = FindingsReport.table([redactor.apply(finding)])
        #expect(!table.contains("konstantinopoulou"))
        #expect(table.contains("user-2"))
        // A local part that is a common word is no value: keys and text keep it. The UPN as a
        // OneDrive site names it is one.
        var common = short
        common.userPrincipalName = "user@contoso.example"
        let other = Redactor(events: [common])
        #expect(other.apply(#"{"user":"user@contoso.example","path":"/personal/user_contoso_example/Documents","agent":"user agent"}"#)
                == #"{"user":"user-1","path":"/personal/site-1/Documents","agent":"user agent"}"#)
    }

    /// A plain value's written forms, taken without the escapers, are the forms the escapers
    /// give: on every printable byte, next to and at the length where a diagram cuts a line.
    @Test func plainValuesHaveTheFormsTheEscapersGive() {
        var generator = SplitMix64(seed: 17)
        var values = ["a-b", "203.0.113.10", "2001:db8::1", "9f2c-…", "x&y", "Tim", "\"q\"", "O'Neil", "a<b", "back\\slash", "tab\there",
                      String(repeating: "a", count: DOTText.maxLineLength), String(repeating: "a-", count: DOTText.maxLineLength / 2),
                      String(repeating: "b", count: DOTText.maxLineLength + 1), String(repeating: "-", count: DOTText.maxLineLength + 1)]
        values += (0x20..<0x7F).map { "ab" + String(UnicodeScalar(UInt8($0))) + "cd" }
        values += (0..<500).map { _ in String(decoding: (0..<Int.random(in: 1...12, using: &generator)).map { _ in UInt8.random(in: 0x20..<0x7F, using: &generator) }, as: UTF8.self) }
        for value in values {
            #expect(Redactor.writtenForms(of: value) == Redactor.writtenFormsByEscaping(value), "\(value)")
        }
        #expect(Redactor.plainWrittenForms(of: "a-b") == ["a-b", "a&#45;b"])
        #expect(Redactor.plainWrittenForms(of: "O'Neil") == nil)
        #expect(Redactor.plainWrittenForms(of: String(repeating: "b", count: DOTText.maxLineLength + 1)) == nil)
    }

    /// Values are numbered in the order their events come, each once, whichever field first
    /// names it; a value several events repeat is numbered at its first.
    @Test func numbersValuesInTheOrderTheyFirstOccur() {
        func event(_ upn: String?, _ name: String?, _ ip: String?, _ device: String? = nil) -> Event {
            var event = Event(time: UTCInstant(seconds: 0), source: .signInLogs, shape: .logAnalyticsNDJSON, kind: .signIn,
                              provenance: Provenance(fileIndex: 0, line: 1, record: 1))
            event.userPrincipalName = upn
            event.userDisplayName = name
            event.ipAddress = ip
            event.deviceName = device
            return event
        }
        let events = [event("bo@contoso.example", "Bo Lind", "203.0.113.7"), event("al@contoso.example", "Bo Lind", "203.0.113.7", "PC-1"),
                      event("bo@contoso.example", "Al Berg", "198.51.100.9", "PC-2"), event("al@contoso.example", "Cy Dahl", "203.0.113.8", "PC-1")]
        let pseudonyms = Dictionary(uniqueKeysWithValues: Redactor(events: events).mapping.map { ($0.original, $0.pseudonym) })
        #expect(pseudonyms["bo@contoso.example"] == "user-1" && pseudonyms["al@contoso.example"] == "user-2")
        #expect(pseudonyms["bo_contoso_example"] == "site-1" && pseudonyms["al_contoso_example"] == "site-2")
        #expect(pseudonyms["Bo Lind"] == "person-1" && pseudonyms["Al Berg"] == "person-2" && pseudonyms["Cy Dahl"] == "person-3")
        #expect(pseudonyms["PC-1"] == "host-1" && pseudonyms["PC-2"] == "host-2")
        #expect(pseudonyms["203.0.113.7"] == "240.0.1.7" && pseudonyms["198.51.100.9"] == "240.0.2.9" && pseudonyms["203.0.113.8"] == "240.0.1.8")
    }

    /// The table as it was made before values were known again by their codes: every field of
    /// every event looked up by its text (an address's pseudonyms as the redactor spells them). The same mapping, on events drawn from a small pool
    /// of values that fields share (a UPN that is also a name or an address, values under three
    /// characters, `::`, addresses of one /24, absent fields).
    @Test func tableEqualsTheTextKeyedTable() {
        func reference(_ events: [Event]) -> [String: String] {
            var table: [String: String] = [:], counters: [String: Int] = [:], prefixes: [String: Int] = [:]
            func assign(_ value: String?, _ kind: String) {
                guard let value, value.count >= 3, table[value] == nil else { return }
                counters[kind, default: 0] += 1
                table[value] = "\(kind)-\(counters[kind]!)"
            }
            func assignIP(_ ip: String?) {
                guard let ip, table[ip] == nil, let prefix = NetworkKey.prefix(ip) else { return }
                if prefixes[prefix] == nil { prefixes[prefix] = prefixes.count + 1 }
                (table[ip], table[prefix]) = Redactor.addressPseudonyms(ip, network: prefixes[prefix]!)
            }
            for event in events {
                if let upn = event.userPrincipalName {
                    assign(upn, "user")
                    let site = String(upn.map { $0 == "@" || $0 == "." ? "_" : $0 })
                    if site != upn, let pseudonym = table[upn], table[site] == nil { table[site] = pseudonym.replacingOccurrences(of: "user", with: "site") }
                }
                assign(event.userId, "oid")
                assign(event.userDisplayName, "person")
                assign(event.deviceId, "device")
                assign(event.deviceName, "host")
                assign(event.tenantId, "tenant")
                assignIP(event.ipAddress)
            }
            return table
        }
        let pool: [String?] = [nil, "ab", "::", "a.b", "bo@contoso.example", "bo_contoso_example", "203.0.113.7", "203.0.113.8", "198.51.100.9",
                               "2001:db8::1", "2001:db8:0:1::2", "Bo Lind", "x@y", "1.2.3", "PC-1", "9e2c0d44-5f7e-4a35-9d55-2b6f0f2bb6a1"]
        var generator = SplitMix64(seed: 3)
        // The last run has events enough for the table to read them in shares on both cores.
        for run in 0..<201 {
            let events = (0..<(run == 200 ? 140_000 : Int.random(in: 1...12, using: &generator))).map { index -> Event in
                var event = Event(time: UTCInstant(seconds: Int64(index)), source: .signInLogs, shape: .logAnalyticsNDJSON, kind: .signIn,
                                  provenance: Provenance(fileIndex: 0, line: Int32(index), record: Int32(index)))
                event.userPrincipalName = pool.randomElement(using: &generator)!
                event.userId = pool.randomElement(using: &generator)!
                event.userDisplayName = pool.randomElement(using: &generator)!
                event.deviceId = pool.randomElement(using: &generator)!
                event.deviceName = pool.randomElement(using: &generator)!
                event.tenantId = pool.randomElement(using: &generator)!
                event.ipAddress = pool.randomElement(using: &generator)!
                return event
            }
            let mapping = Redactor(events: events).mapping
            #expect(Dictionary(uniqueKeysWithValues: mapping.map { ($0.original, $0.pseudonym) }) == reference(events))
        }
    }

    /// The documents redacted a line at a time as they are written equal the whole documents
    /// redacted at once (their own keys and punctuation hold no value).
    @Test func documentsRedactedByLineEqualTheWholeRedacted() throws {
        let graph = try GraphBuilderTests().fixture()
        let findings = Detector.run(graph)
        let redactor = Redactor(events: graph.events)
        let filter: @Sendable (String) -> String = { redactor.apply($0) }
        var document = "", lines = ""
        FindingsReport.write(findings, inputs: ["in/alice@contoso.example"], generatedAt: UTCInstant(seconds: 0), document: &document, lines: &lines, filter: filter)
        var wholeDocument = "", wholeLines = ""
        FindingsReport.write(findings, inputs: ["in/alice@contoso.example"], generatedAt: UTCInstant(seconds: 0), document: &wholeDocument, lines: &wholeLines)
        #expect(document == redactor.apply(wholeDocument) && lines == redactor.apply(wholeLines))
        #expect(!document.contains("alice@contoso.example") && document.contains("user-"))
        var sessions = ""
        SessionReport.writeSessions(graph.sessions, in: graph, to: &sessions, filter: filter)
        #expect(Data(sessions.utf8) == redactor.apply(SessionReport.sessionsDocument(graph.sessions, in: graph)))
        #expect(!sessions.contains("203.0.113.10"))
    }

    /// The mapping document, written directly, is the one `JSONEncoder` writes for the same
    /// dictionary, values with quotes, backslashes, control and non-ASCII characters included.
    @Test func mappingDocumentIsWhatJSONEncoderWrites() {
        // More than nine of a kind, so `person-10` sorts among them as the encoder sorts it.
        let names = ["Zoë \"Z\" O'Neil", "back\\slash", "ctl\u{01}\u{1F}\u{7F}x", "tab\tname\nline", "emoji 😀 x", "slash/name", "\u{2028}sep"]
            + (1...6).map { "Plain Name \($0)" }
        let events = names.enumerated().map { index, name -> Event in
            var event = Event(time: UTCInstant(seconds: 0), source: .signInLogs, shape: .logAnalyticsNDJSON, kind: .signIn,
                              provenance: Provenance(fileIndex: 0, line: Int32(index), record: Int32(index)))
            event.userDisplayName = name
            event.userPrincipalName = "u\(index)@contoso.example"
            event.ipAddress = "203.0.113.\(index)"
            return event
        }
        let redactor = Redactor(events: events)
        let expected = SessionReport.encode(["schemaVersion": "1", "note": "pseudonym mapping of a --redact run; keep it with the case file, do not share"]
            .merging(Dictionary(redactor.mapping.map { ($0.pseudonym, $0.original) }, uniquingKeysWith: { a, _ in a })) { a, _ in a })
        #expect(redactor.mappingDocument() == expected)
    }
}
