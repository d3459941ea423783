import Foundation
import Testing
@testable import SessionGraph

/// Identifiers held in 16 bytes give back exactly the text they were made from, equal values
/// stand for equal texts, and a token's request id is the one the text decoder gives.
@Suite struct CompactIdentifierTests {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    /// Texts of every form and near misses of each: upper-case and braced GUIDs, misplaced
    /// dashes, 21/23-character tokens, a token whose last digit carries extra bits, the
    /// standard base64 alphabet, empty, non-ASCII.
    static var texts: [String] {
        var generator = SystemRandomNumberGenerator()
        var texts = [
            "3fa85f64-5717-4562-b3fc-2c963f66afa6", "3FA85F64-5717-4562-B3FC-2C963F66AFA6", "{3fa85f64-5717-4562-b3fc-2c963f66afa6}",
            "3fa85f6405717-4562-b3fc-2c963f66afa6", "3fa85f64-5717-4562-b3fc-2c963f66afag", "00000000-0000-0000-0000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff", "ZP5TYBXWIEGT6Pr6BKUBAA", "ZP5TYBXWIEGT6Pr6BKUBAB", "ZP5TYBXWIEGT6Pr6BKUBAQ",
            "ZP5TYBXWIEGT6Pr6BKUBA", "ZP5TYBXWIEGT6Pr6BKUBAAA", "ZP5TYBXW+EGT6Pr6BKUB/A", "AAAAAAAAAAAAAAAAAAAAAA",
            "__________________________________________", "_____________________w", "", "a", "ünïcødé-token-value-xx",
            "1a2b3c4d5e6f", "ReportId-42",
        ]
        for _ in 0..<500 {
            var token = (0..<21).map { _ in alphabet[Int.random(in: 0..<64, using: &generator)] }
            token.append(alphabet[Int.random(in: 0..<4, using: &generator) * 16 + (Bool.random(using: &generator) ? 0 : Int.random(in: 0..<16, using: &generator))])
            texts.append(String(token))
            texts.append(UUID().uuidString.lowercased())
        }
        return texts
    }

    @Test func textComesBackUnchanged() {
        for text in Self.texts {
            #expect(CompactIdentifier(text).text == text, "\(text)")
        }
    }

    @Test func formsAreTakenOnlyForTheirCanonicalSpelling() {
        if case .guid(let high, let low) = CompactIdentifier("3fa85f64-5717-4562-b3fc-2c963f66afa6") {
            #expect(high == 0x3fa8_5f64_5717_4562 && low == 0xb3fc_2c96_3f66_afa6, "the digits in text order")
        } else {
            Issue.record("lower-case GUID not held as 16 bytes")
        }
        if case .token = CompactIdentifier("ZP5TYBXWIEGT6Pr6BKUBAA") {} else { Issue.record("22-character token id not held as 16 bytes") }
        for text in ["3FA85F64-5717-4562-B3FC-2C963F66AFA6", "ZP5TYBXWIEGT6Pr6BKUBAB", "ZP5TYBXW+EGT6Pr6BKUB/A", "ZP5TYBXWIEGT6Pr6BKUBA"] {
            if case .text = CompactIdentifier(text) {} else { Issue.record("\(text) should be kept as text") }
        }
    }

    @Test func equalValuesAreEqualTexts() {
        let texts = Self.texts
        let values = texts.map(CompactIdentifier.init)
        var byValue: [CompactIdentifier: String] = [:]
        for (text, value) in zip(texts, values) {
            if let seen = byValue[value] { #expect(seen == text, "\(seen) and \(text) made one value") }
            byValue[value] = text
        }
        #expect(Set(values).count == Set(texts).count)
    }

    @Test func requestIdFromTokenMatchesTheTextDecoder() {
        for text in Self.texts {
            let expected = IdentifierNormalizer.requestId(fromTokenId: text)
            #expect(CompactIdentifier(text).requestIdFromToken?.text == expected, "\(text)")
            if let expected { #expect(CompactIdentifier(text).requestIdFromToken == CompactIdentifier(expected)) }
        }
        // The documented example (schemas.md §1.1): a token id and the request id it decodes to.
        let event = Event(time: UTCInstant(seconds: 0), source: .graphActivityLogs, shape: .logAnalyticsJSON, kind: .action, provenance: Provenance(fileIndex: 0, line: 1, record: 1))
        var withToken = event
        withToken.uniqueTokenId = "ZP5TYBXWIEGT6Pr6BKUBAA"
        #expect(withToken.requestIdFromToken == IdentifierNormalizer.requestId(fromTokenId: "ZP5TYBXWIEGT6Pr6BKUBAA"))
        #expect(withToken.uniqueTokenId == "ZP5TYBXWIEGT6Pr6BKUBAA")
        #expect(event.requestIdFromToken == nil)
    }

    // MARK: exact bytes

    /// Two Unicode spellings of one name, and an ASCII letter with its lookalike.
    static let composed = "Jos\u{E9}", decomposed = "Jose\u{301}"
    static let ascii = "K", kelvin = "\u{212A}"

    @Test func lookalikeSpellingsStayDistinct() throws {
        #expect(Self.composed == Self.decomposed, "Swift's == holds them equal")
        let vocabulary = TextVocabulary.shared
        #expect(vocabulary.code(Self.composed) != vocabulary.code(Self.decomposed))
        #expect(Array(vocabulary.text(vocabulary.code(Self.decomposed))!.utf8) == Array(Self.decomposed.utf8))
        var interner = TextInterner()
        #expect(interner.code(FieldText(Self.composed)) != interner.code(FieldText(Self.decomposed)))
        #expect(CompactIdentifier("caf\u{E9}-1") != CompactIdentifier("cafe\u{301}-1"))
        let token = "ZP5TYBXWIEGT6Pr6BKUBAA", lookalike = token.replacingOccurrences(of: Self.ascii, with: Self.kelvin)
        #expect(token == lookalike, "Swift's == holds them equal too")
        #expect(CompactIdentifier(token) != CompactIdentifier(lookalike))
        #expect(Set([CompactIdentifier("caf\u{E9}-1"), CompactIdentifier("cafe\u{301}-1")]).count == 2)
    }

    @Test func ingestKeepsEachRecordsOwnSpelling() throws {
        let scratch = try Scratch()
        // The same session and user name, once precomposed and once decomposed, and no object id:
        // the two spellings are two users of one session id (split, with a data error), not
        // merged, and each event gives back its own bytes.
        let sid = "\"5d1b2c3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d\""
        let rows = [
            HX.row(1, [("SessionId", sid), ("UserPrincipalName", "\"\(Self.composed)@contoso.example\""), ("UserDisplayName", "\"\(Self.composed)\""), ("IsInteractive", "true")]),
            HX.row(2, [("SessionId", sid), ("UserPrincipalName", "\"\(Self.decomposed)@contoso.example\""), ("UserDisplayName", "\"\(Self.decomposed)\""), ("IsInteractive", "true")]),
        ]
        let path = try scratch.write("spellings.ndjson", rows.joined(separator: "\n") + "\n")
        let result = Ingestor.ingest(files: [path])
        #expect(result.totals.used == 2)
        #expect(result.events.map { Array($0.userDisplayName!.utf8) } == [Array(Self.composed.utf8), Array(Self.decomposed.utf8)])
        let graph = GraphBuilder.build(result)
        #expect(graph.sessions.count == 2)
        #expect(graph.dataErrors.map(\.kind) == ["sid-multi-user"])
    }

    @Test func recordIdsAreComparedAsBytesWhenDeduplicating() throws {
        let scratch = try Scratch()
        func row(_ id: String) -> String {
            HX.row(1, [("Id", "\"\(id)\"")])
        }
        let first = try scratch.write("a.ndjson", row("caf\u{E9}-1") + "\n")
        let second = try scratch.write("b.ndjson", row("cafe\u{301}-1") + "\n" + row("caf\u{E9}-1") + "\n")
        let result = Ingestor.ingest(files: [first, second])
        #expect(result.files.map(\.used) == [1, 1])
        #expect(result.files.map(\.duplicate) == [0, 1], "only the byte-identical copy is a duplicate")
    }

    @Test func vocabularyGivesOneCodePerTextAcrossThreads() {
        // Several files read at once ask for the same new values in different orders.
        let texts = (0..<4000).map { "concurrent value \($0) \(UUID().uuidString)" }
        let results = ParallelSlots<[String: UInt32]>(count: 4)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            var interner = TextInterner()
            var codes: [String: UInt32] = [:]
            for text in worker % 2 == 0 ? texts : texts.reversed() { codes[text] = interner.code(FieldText(text)) }
            results.store(codes, at: worker)
        }
        let all = results.take()
        for text in texts {
            let codes = Set(all.map { $0[text]! })
            #expect(codes.count == 1, "\(text): \(codes)")
            #expect(TextVocabulary.shared.text(codes.first!) == text)
        }
    }

    @Test func nodeTokenKeysGiveBackTheirIdentifier() {
        let texts = ["3kVZRE8tFkinHtPA7_EFAA", "0a1b2c3d-0000-4000-8000-000000000001", "not-a-token", "Jos\u{E9}", "Jose\u{301}"]
        let keys = texts.map { NodeTokenKey(CompactIdentifier($0)) }
        for (text, key) in zip(texts, keys) {
            #expect(key.identifier == CompactIdentifier(text))
            #expect(Array(key.identifier.text.utf8) == Array(text.utf8))
        }
        // Equal only for the same bytes: the two spellings of José are two keys.
        #expect(Set(keys).count == texts.count)
        #expect(NodeTokenKey(CompactIdentifier("not-a-token")) == keys[2])
        #expect(_isPOD(GraphNode.self), "a node holds no reference")
    }
}
