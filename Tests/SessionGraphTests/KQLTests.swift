import Foundation
import Testing
@testable import SessionGraph

/// `sessiongraph kql`: golden files for each command and dialect, string-literal escaping checked
/// with a KQL lexer, and the round trip of the collect query's projected columns through the ingest.
/// Nothing here runs a query against a live engine.
@Suite struct KQLTests {
    static let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let from = UTCInstant(civilYear: 2026, month: 3, day: 1)
    static let to = UTCInstant(civilYear: 2026, month: 3, day: 8)
    static let huntTo = UTCInstant(civilYear: 2026, month: 3, day: 8, hour: 12)

    /// Compares with the golden file; `UPDATE_GOLDEN=1 swift test` rewrites it.
    func assertGolden(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = Self.goldenFolder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldenFolder, withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "KQL differs from \(name); rerun with UPDATE_GOLDEN=1 after checking the change", sourceLocation: sourceLocation)
    }

    static func collect(_ dialect: KQLDialect, sessions: [String] = [GraphBuilderTests.sid], tokens: [String] = [GraphBuilderTests.uti(for: "11111111-aaaa-4bbb-8ccc-000000000003")],
                        users: [String] = ["alice@contoso.example"]) -> KQLCollect {
        KQLCollect(sessions: sessions, tokens: tokens, users: users, from: from, to: to, dialect: dialect)
    }

    static func hunts(_ dialect: KQLDialect) throws -> [(rule: String, query: String)] {
        try KQLHunt(dialect: dialect, from: huntTo.adding(seconds: -7 * 86_400), to: huntTo).queries()
    }

    // MARK: Golden files

    @Test(arguments: KQLDialect.allCases)
    func collectMatchesGoldenFile(_ dialect: KQLDialect) throws {
        let query = Self.collect(dialect).query()
        try assertGolden(query, "kql-collect-\(dialect.rawValue).kql")
        let tokens = try KQLLexer.tokens(query)
        #expect(tokens.strings.contains(GraphBuilderTests.sid))
        #expect(tokens.strings.contains("alice@contoso.example"))
        if dialect == .defender {
            // The token id, decoded to the sign-in request id EntraIdSignInEvents carries.
            #expect(tokens.strings.contains("11111111-aaaa-4bbb-8ccc-000000000003"))
            #expect(query.contains("does not yet read the column names of EntraIdSignInEvents and GraphApiAuditEvents"))
        }
    }

    @Test(arguments: KQLDialect.allCases)
    func huntMatchesGoldenFile(_ dialect: KQLDialect) throws {
        let hunts = try Self.hunts(dialect)
        try assertGolden(hunts.map(\.query).joined(separator: "\n"), "kql-hunt-\(dialect.rawValue).kql")
        let expected = KQLHunt.catalogue.filter { dialect != .defender || $0.notInDefender == nil }.map(\.id)
        #expect(hunts.map(\.rule) == expected)
    }

    // MARK: Shape

    @Test(arguments: KQLDialect.allCases)
    func everyHuntCarriesItsHeaderAndNextStep(_ dialect: KQLDialect) throws {
        for (rule, query) in try Self.hunts(dialect) {
            let header = query.split(separator: "\n").prefix { $0.hasPrefix("//") }.joined(separator: "\n")
            #expect(header.contains("SessionGraph hunt: \(rule)"))
            for field in ["dialect:", "reason:", "parameters:", "method:", "next:"] { #expect(header.contains(field), "\(rule) header lacks \(field)") }
            #expect(header.contains("next:       sessiongraph kql collect --dialect \(dialect.rawValue) --from 2026-03-01T12:00:00Z --to 2026-03-08T12:00:00Z --session"))
            #expect(header.contains("window 2026-03-01T12:00:00Z .. 2026-03-08T12:00:00Z (UTC, lookback 7d)"))
            #expect(query.contains("let From = datetime(2026-03-01T12:00:00Z);\nlet To = datetime(2026-03-08T12:00:00Z);"))
            #expect(query.contains("| extend CollectCommand = strcat(\"sessiongraph kql collect --dialect \(dialect.rawValue) --from 2026-03-01T12:00:00Z --to 2026-03-08T12:00:00Z --session \""))
            let usesGraph = query.contains("make-graph") && query.contains("graph-match")
            if dialect == .defender {
                #expect(!usesGraph, "graph operators are not documented for advanced hunting")
            } else {
                #expect(usesGraph == ["sess-branch-new-net", "sess-branch-new-country", "root-device-code-split"].contains(rule), "\(rule)")
            }
        }
    }

    /// Log Analytics and ADX editors split queries at blank lines: none may hold one.
    @Test(arguments: KQLDialect.allCases)
    func queriesHoldNoBlankLine(_ dialect: KQLDialect) throws {
        var queries = try Self.hunts(dialect).map(\.query)
        queries.append(Self.collect(dialect).query())
        for query in queries {
            let lines = query.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(!lines.contains { $0.trimmingCharacters(in: .whitespaces).isEmpty })
            #expect(!query.contains(" \n"), "trailing spaces")
            try KQLLexer.checkBalanced(query)
            // Constructs KQL does not have: `distinct` takes column names only.
            let code = try KQLLexer.tokens(query).code
            #expect(code.range(of: #"distinct [A-Za-z_]+ ="#, options: .regularExpression) == nil)
        }
    }

    /// The window is explicit on every leg: the datetime literals once, then `between (From .. To)`
    /// right after each table is named; never `ago()` or `now()`.
    @Test(arguments: KQLDialect.allCases)
    func windowIsExplicitOnEveryLeg(_ dialect: KQLDialect) throws {
        var queries = try Self.hunts(dialect).map(\.query)
        queries.append(Self.collect(dialect).query())
        let tables = ["SigninLogs", "AADNonInteractiveUserSignInLogs", "AADServicePrincipalSignInLogs", "AADManagedIdentitySignInLogs",
                      "MicrosoftGraphActivityLogs", "CloudAppEvents", "OfficeActivity", "EntraIdSignInEvents", "GraphApiAuditEvents"]
        for query in queries {
            let code = try KQLLexer.tokens(query).code
            #expect(!code.contains("ago(") && !code.contains("now("))
            let lines = code.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            var legs = 0
            for (index, line) in lines.enumerated() {
                // A leg starts where a table name ends a line: `(SigninLogs`, `let X = materialize(CloudAppEvents`.
                guard let table = tables.first(where: { line.hasSuffix("(" + $0) || line.hasSuffix("= " + $0) || line == $0 }) else { continue }
                legs += 1
                let next = index + 1 < lines.count ? lines[index + 1] : ""
                #expect(next.hasPrefix("| where") && next.hasSuffix("between (From .. To)"), "\(table) leg starts with \(next)")
            }
            #expect(legs > 0)
        }
    }

    @Test func collectFixesTheSeedQuery() throws {
        let query = Self.collect(.sentinel).query()
        let code = try KQLLexer.tokens(query).code
        // Case-insensitive session and user matches; exact token matches.
        #expect(code.contains("SessionId in~ (SessionIds)"))
        #expect(code.contains("UserPrincipalName in~ (Users)"))
        #expect(code.contains("UniqueTokenIdentifier in (TokenIds)"))
        #expect(!code.contains("SessionId == ") && !code.contains("in (SessionIds)"))
        // Both user sign-in tables, the workload-identity tables, CloudAppEvents by token id, OfficeActivity by user.
        for table in ["SigninLogs", "AADNonInteractiveUserSignInLogs", "AADServicePrincipalSignInLogs", "AADManagedIdentitySignInLogs",
                      "MicrosoftGraphActivityLogs", "CloudAppEvents", "OfficeActivity"] {
            #expect(code.contains(table))
        }
        #expect(code.contains("SG_TokenId = tostring(RawEventData.AppAccessContext.UniqueTokenId)"))
        #expect(code.contains("SG_TokenId in (SignInTokens)"))
        #expect(query.contains("OfficeActivity, the unified audit log as Sentinel stores it, has no session or token id column"))
        #expect(code.contains("union UserSignIns, MintingSignIns, GraphActivity, CloudActivity, OfficeRows"))
        #expect(!code.contains("join"), "legs are unioned, never joined: each exported row stays one table's row")
        #expect(!code.contains("SessionData"))
    }

    /// Every column the Sentinel collect query projects is one the ingest reads (ReadFields lists
    /// them all), so nothing is exported for nothing.
    @Test func collectProjectsOnlyColumnsTheIngestReads() throws {
        let columns = try KQLProjection.columns(of: Self.collect(.sentinel).query())
        #expect(columns.count == 7)
        for (table, names) in columns {
            for name in names {
                #expect(ReadFields.keys.contains(name.lowercased()), "\(table).\(name) is projected but no mapper reads it")
            }
        }
    }

    /// A value with nothing left to match is left out: `in~ ("")` would match every row whose
    /// session id is empty.
    @Test func blankValuesAreLeftOut() throws {
        let query = KQLCollect(sessions: ["", " ", "\u{0}\u{7}", "\t\n"], tokens: [""], users: ["\u{85}"], from: Self.from, to: Self.to).query()
        #expect(query.contains("let SessionIds = dynamic([]);\nlet TokenIds = dynamic([]);\nlet Users = dynamic([]);"))
        #expect(query.contains("selects: 0 session ids, 0 token ids, 0 users"))
    }

    @Test func huntSelectionAndErrors() throws {
        let one = try KQLHunt(rules: ["tok-use-ip-mismatch", "tok-use-ip-mismatch"], dialect: .adx, from: Self.from, to: Self.to).queries()
        #expect(one.map(\.rule) == ["tok-use-ip-mismatch"])
        #expect(throws: KQLHuntError.unknownRule("nope")) { try KQLHunt(rules: ["nope"], from: Self.from, to: Self.to).queries() }
        #expect(throws: KQLHuntError.self) { try KQLHunt(rules: ["root-device-code-split"], dialect: .defender, from: Self.from, to: Self.to).queries() }
        // A hostile rule id is not echoed with its line breaks.
        do {
            _ = try KQLHunt(rules: ["x\nlet y = 1"], from: Self.from, to: Self.to).queries()
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func lookbackParsing() {
        #expect(KQLHunt.lookbackSeconds("7d") == 604_800)
        #expect(KQLHunt.lookbackSeconds("36h") == 129_600)
        #expect(KQLHunt.lookbackSeconds("90m") == 5_400)
        #expect(KQLHunt.lookbackSeconds("45s") == 45)
        for bad in ["", "d", "7", "7w", "-7d", "0d", "7 d", "١d", "99999d", "7d;"] { #expect(KQLHunt.lookbackSeconds(bad) == nil, "\(bad)") }
        #expect(KQLText.span(Self.from, Self.to) == "7d")
    }

    /// The service ranges in the token hunt are ServiceSide's.
    @Test func serviceRangesAreServiceSides() {
        #expect(KQLHunt.serviceRangeList.count == ServiceSide.microsoftServiceRanges.ranges.count)
        for range in KQLHunt.serviceRangeList {
            let address = String(range.split(separator: "/")[0])
            #expect(ServiceSide.microsoftServiceRanges.contains(ip: address, asn: nil), "\(range)")
        }
    }

    // MARK: Escaping

    @Test func literalsEscapeWhatTheLexerWouldEnd() throws {
        #expect(KQLString.literal("plain") == "\"plain\"")
        #expect(KQLString.literal("a\"b") == #""a\"b""#)
        #expect(KQLString.literal(#"back\slash"#) == #""back\\slash""#)
        #expect(KQLString.literal("l1\nl2\r\tx") == #""l1\nl2\r\tx""#)
        #expect(KQLString.literal("it's") == "\"it's\"")
        #expect(KQLString.literal("a\u{2028}b\u{2029}c") == #""a\u2028b\u2029c""#)
        #expect(KQLString.literal("bidi\u{202E}x\u{200B}\u{FEFF}") == #""bidi\u202Ex\u200B\uFEFF""#)
        #expect(KQLString.literal("tag\u{E0041}") == #""tag\U000E0041""#)
        #expect(KQLString.literal("nul\u{0}bel\u{7}del\u{7F}nel\u{85}") == "\"nulbeldelnel\"")
        #expect(KQLString.literal("ünï 日本 🙂 | ; // '") == "\"ünï 日本 🙂 | ; // '\"")
        #expect(KQLString.dropsCharacters("a\u{1B}[31m"))
        #expect(!KQLString.dropsCharacters("a\tb\n"))
        // Every literal reads back, through the lexer, as the value less its dropped characters.
        for value in Self.hostile {
            let tokens = try KQLLexer.tokens("print x = " + KQLString.literal(value))
            #expect(tokens.strings == [readable(value)])
        }
    }

    static let hostile: [String] = [
        #"" | take 1; //"#,
        #"\" | where 1 == 1 //"#,
        #"\\"; print "pwned"#,
        "x'; SigninLogs | take 1; print 'y",
        "line1\nSigninLogs | union *\r\n// comment",
        "0001\u{2028}| take 1",
        "para\u{2029};",
        "bidi\u{202E}txt.exe\u{202C}",
        "zero\u{200B}width\u{FEFF}",
        "nul\u{0}byte\u{1B}[31mred\u{7F}\u{85}",
        "@\"verbatim\" ```multi``` h\"hidden\"",
        "ünïcødé 日本語 🙂 \u{E0041}",
        "|", ";", "//", "'", "\"", "\\", "",
        "a\\", "\\\\\"",
    ]

    /// Hostile values end up inside string literals only: the query's code and comments, with every
    /// literal blanked, are the same as with harmless values, and each value reads back exactly.
    @Test(arguments: KQLDialect.allCases)
    func hostileValuesStayInsideStringLiterals(_ dialect: KQLDialect) throws {
        let values = Self.hostile.filter { !$0.isEmpty }
        let benign = values.indices.map { "value\($0)" }
        let hostileQuery = KQLCollect(sessions: values, tokens: values, users: values, from: Self.from, to: Self.to, dialect: dialect).query()
        let benignQuery = KQLCollect(sessions: benign, tokens: benign, users: benign, from: Self.from, to: Self.to, dialect: dialect).query()
        let hostile = try KQLLexer.tokens(hostileQuery)
        let harmless = try KQLLexer.tokens(benignQuery)
        #expect(hostile.skeleton == harmless.skeleton)
        #expect(hostile.code.split(separator: "\n").count == harmless.code.split(separator: "\n").count)
        for value in values {
            #expect(hostile.strings.contains(readable(value)), "value \(value.debugDescription) not found as a literal")
        }
        for marker in ["pwned", "take 1", "union *", "verbatim", "hidden", "日本語", "txt.exe"] {
            #expect(!hostile.code.contains(marker) && !hostile.comments.contains(where: { $0.contains(marker) }), "\(marker) escaped its literal")
        }
        // Each line holds whole tokens only: no literal spans lines.
        #expect(!hostileQuery.unicodeScalars.contains { $0 == "\u{2028}" || $0 == "\u{2029}" || $0.value < 0x0A })
    }

    // MARK: Round trip through the ingest

    /// Rows shaped exactly as the Sentinel (and ADX) collect query projects them, exported as Log Analytics
    /// JSON and as Log Analytics CSV, read back with nothing rejected into the same events and the
    /// same graph as the same records written as plain Log Analytics NDJSON rows.
    @Test(arguments: [KQLDialect.sentinel, .adx])
    func collectedRowsRoundTripThroughTheIngest(_ dialect: KQLDialect) throws {
        let query = Self.collect(dialect).query()
        let projection = try KQLProjection.parse(query)
        let native = try RoundTripFixture.nativeRows()
        // What the query returns: each row through its leg's projection, sorted by TimeGenerated.
        let rows = try native.map { try projection.project($0) }.sorted { ($0["TimeGenerated"]?.text ?? "") < ($1["TimeGenerated"]?.text ?? "") }
        for row in rows {
            #expect(Set(row.keys) == Set(projection.legs[row["Type"]?.text ?? ""]?.map(\.name) ?? []))
        }
        let scratch = try Scratch()
        let nativePath = try scratch.write("native/rows.ndjson", RoundTripFixture.nativeLines().joined(separator: "\n"))
        let jsonPath = try scratch.write("json/export.json", RoundTripFixture.logAnalyticsJSON(rows, columns: projection.unionColumns))
        let csvPath = try scratch.write("csv/export.csv", RoundTripFixture.logAnalyticsCSV(rows, columns: projection.unionColumns))

        let baseline = try Ingestor.ingest(paths: [nativePath])
        #expect(baseline.totals.rejected == 0, "\(baseline.files.flatMap(\.rejections))")
        #expect(baseline.totals.used == native.count)
        let expectedEvents = try RoundTripFixture.describe(baseline.events, files: baseline.files.map(\.path))
        let expectedGraph = RoundTripFixture.describe(GraphBuilder.build(baseline))
        #expect(expectedGraph.contains { $0.hasPrefix("session 00aa0001") })

        for (path, shape) in [(jsonPath, ExportShape.logAnalyticsJSON), (csvPath, ExportShape.logAnalyticsCSV)] {
            let result = try Ingestor.ingest(paths: [path])
            expectBalanced(result)
            #expect(result.totals.rejected == 0, "\(shape): \(result.files.flatMap(\.rejections))")
            #expect(result.totals.used == native.count, "\(shape)")
            #expect(result.events.allSatisfy { $0.shape == shape })
            let events = try RoundTripFixture.describe(result.events, files: result.files.map(\.path))
            #expect(events == expectedEvents, "\(shape): events differ:\n\(zip(events, expectedEvents).filter { $0 != $1 }.prefix(3).map { "\($0)\n  vs \($1)" }.joined(separator: "\n"))")
            let graph = RoundTripFixture.describe(GraphBuilder.build(result))
            #expect(graph == expectedGraph, "\(shape): graphs differ:\n\(Set(graph).symmetricDifference(expectedGraph).sorted().joined(separator: "\n"))")
        }
    }
}

// MARK: - Helpers

/// The scalars as a string.
func scalarString<S: Sequence>(_ scalars: S) -> String where S.Element == Unicode.Scalar {
    var view = String.UnicodeScalarView()
    view.append(contentsOf: scalars)
    return String(view)
}

/// What a value reads back as from its literal: the value less the characters the escaping drops.
func readable(_ value: String) -> String {
    scalarString(value.unicodeScalars.filter { !KQLString.isDropped($0) })
}

extension JSONValue {
    /// Compact JSON text, object members in their order.
    var jsonText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return Self.quoted(s)
        case .array(let items): return "[" + items.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let members): return "{" + members.map { Self.quoted($0.key) + ":" + $0.value.jsonText }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (the library's escaping).
    static func quoted(_ s: String) -> String {
        var out = ""
        appendJSONString(s, to: &out)
        return out
    }

    /// The members of an object as a dictionary (last wins).
    var dictionary: [String: JSONValue] {
        guard case .object(let members) = self else { return [:] }
        var out: [String: JSONValue] = [:]
        for member in members { out[member.key] = member.value }
        return out
    }

    static func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }
}

// MARK: - A KQL lexer for the tests

/// Splits KQL into string literals, comments and code, the way the Kusto lexer does
/// (`Kusto.Language` `TokenParser`): `"…"`/`'…'` with backslash escapes, `@"…"` verbatim, `//` to the
/// end of the line; a line break inside a literal is an error.
enum KQLLexer {
    struct Tokens {
        var strings: [String] = []
        var comments: [String] = []
        /// Everything outside literals and comments, literals replaced by `"…"`.
        var code = ""
        /// Code and comments with literals blanked: the query's structure.
        var skeleton = ""
    }

    struct LexError: Error, CustomStringConvertible {
        var description: String
    }

    static func isLineBreak(_ c: Unicode.Scalar) -> Bool { c == "\n" || c == "\r" || c == "\u{2028}" || c == "\u{2029}" }

    static func tokens(_ text: String) throws -> Tokens {
        let s = Array(text.unicodeScalars)
        var out = Tokens()
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == "/", i + 1 < s.count, s[i + 1] == "/" {
                var j = i
                while j < s.count, !isLineBreak(s[j]) { j += 1 }
                let comment = scalarString(s[i..<j])
                out.comments.append(comment)
                out.skeleton += comment
                i = j
            } else if c == "\"" || c == "'" || (c == "@" && i + 1 < s.count && (s[i + 1] == "\"" || s[i + 1] == "'")) {
                let verbatim = c == "@"
                let quote = verbatim ? s[i + 1] : c
                var j = i + (verbatim ? 2 : 1)
                var value = String.UnicodeScalarView()
                var closed = false
                while j < s.count {
                    let d = s[j]
                    if isLineBreak(d) { throw LexError(description: "line break inside a string literal at scalar \(j)") }
                    if d == quote {
                        if verbatim, j + 1 < s.count, s[j + 1] == quote { value.append(quote); j += 2; continue }
                        closed = true
                        j += 1
                        break
                    }
                    if d == "\\" && !verbatim {
                        guard j + 1 < s.count else { break }
                        let e = s[j + 1]
                        switch e {
                        case "\\", "\"", "'": value.append(e); j += 2
                        case "n": value.append("\n"); j += 2
                        case "r": value.append("\r"); j += 2
                        case "t": value.append("\t"); j += 2
                        case "u", "U":
                            let width = e == "u" ? 4 : 8
                            guard j + 2 + width <= s.count, let code = UInt32(scalarString(s[(j + 2)..<(j + 2 + width)]), radix: 16),
                                  let scalar = Unicode.Scalar(code) else { throw LexError(description: "bad \\\(e) escape at \(j)") }
                            value.append(scalar)
                            j += 2 + width
                        default: throw LexError(description: "escape \\\(e) at \(j) is not one the generator writes")
                        }
                        continue
                    }
                    value.append(d)
                    j += 1
                }
                guard closed else { throw LexError(description: "unterminated string literal at scalar \(i)") }
                out.strings.append(String(value))
                out.code += "\"…\""
                out.skeleton += "\"…\""
                i = j
            } else {
                out.code.unicodeScalars.append(c)
                out.skeleton.unicodeScalars.append(c)
                i += 1
            }
        }
        return out
    }

    /// Parentheses and brackets of the code balance.
    static func checkBalanced(_ text: String) throws {
        var stack: [Character] = []
        for c in try tokens(text).code {
            switch c {
            case "(", "[", "{": stack.append(c)
            case ")", "]", "}":
                let open: Character = c == ")" ? "(" : (c == "]" ? "[" : "{")
                guard stack.popLast() == open else { throw LexError(description: "unbalanced \(c)") }
            default: break
            }
        }
        guard stack.isEmpty else { throw LexError(description: "unclosed \(stack)") }
    }
}

// MARK: - The collect query's projection, read from the query itself

/// The `| project` clause of every leg of a Sentinel collect query, parsed from its text, and a small
/// evaluator of the projection expressions it uses (plain column, `tostring`, `todynamic`,
/// `column_ifexists`), so test rows are shaped by the query as generated, not by a copy of it.
struct KQLProjection {
    /// Projected items per table: (output name, expression).
    var legs: [String: [(name: String, expression: String)]] = [:]
    /// Every projected column, in first-seen order: the columns of the union.
    var unionColumns: [String] = []

    static let tables = ["SigninLogs", "AADNonInteractiveUserSignInLogs", "AADServicePrincipalSignInLogs", "AADManagedIdentitySignInLogs",
                         "MicrosoftGraphActivityLogs", "CloudAppEvents", "OfficeActivity"]

    static func columns(of query: String) throws -> [String: [String]] {
        try parse(query).legs.mapValues { $0.map(\.name) }
    }

    static func parse(_ query: String) throws -> KQLProjection {
        var projection = KQLProjection()
        // Whole-line comments out (they name tables too).
        let text = Array(query.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }.joined(separator: "\n"))
        var searchFrom = 0
        let marker = Array("| project ")
        while let start = find(marker, in: text, from: searchFrom) {
            // The table of this leg: the last table named before the clause.
            let before = String(text[0..<start])
            guard let table = tables.max(by: { (before.range(of: $0, options: .backwards)?.lowerBound ?? before.startIndex) < (before.range(of: $1, options: .backwards)?.lowerBound ?? before.startIndex) }),
                  let tableAt = before.range(of: table, options: .backwards) else { throw KQLLexer.LexError(description: "project without a table") }
            // A projection of a let-bound table (`GraphActivity | project TokenId = …`) is no leg.
            if before[tableAt.upperBound...].contains("let ") {
                searchFrom = start + marker.count
                continue
            }
            var items: [String] = []
            var current = ""
            var depth = 0
            var quoted = false
            var i = start + marker.count
            scan: while i < text.count {
                let c = text[i]
                if quoted {
                    current.append(c)
                    if c == "\\" { current.append(text[i + 1]); i += 2; continue }
                    if c == "\"" { quoted = false }
                } else {
                    switch c {
                    case "\"": quoted = true; current.append(c)
                    case "(": depth += 1; current.append(c)
                    case ")":
                        if depth == 0 { break scan }
                        depth -= 1; current.append(c)
                    case ";": if depth == 0 { break scan } else { current.append(c) }
                    case ",": if depth == 0 { items.append(current); current = "" } else { current.append(c) }
                    case "\n":
                        // The clause ends where the next operator or statement starts.
                        let rest = String(text[(i + 1)...].prefix(40)).trimmingCharacters(in: .whitespaces)
                        if depth == 0, rest.hasPrefix("|") || rest.hasPrefix("let ") || rest.hasPrefix("//") { break scan }
                        current.append(" ")
                    default: current.append(c)
                    }
                }
                i += 1
            }
            items.append(current)
            var leg: [(String, String)] = []
            for item in items.map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
                if let eq = item.range(of: " = ") {
                    leg.append((String(item[..<eq.lowerBound]), String(item[eq.upperBound...])))
                } else {
                    leg.append((item, item))
                }
            }
            if let existing = projection.legs[table] {
                guard existing.map(\.0) == leg.map(\.0) else { throw KQLLexer.LexError(description: "\(table) projected two ways") }
            }
            projection.legs[table] = leg
            for (name, _) in leg where !projection.unionColumns.contains(name) { projection.unionColumns.append(name) }
            searchFrom = i
        }
        return projection
    }

    private static func find(_ needle: [Character], in text: [Character], from: Int) -> Int? {
        guard needle.count <= text.count else { return nil }
        var i = from
        while i + needle.count <= text.count {
            if text[i] == needle[0], Array(text[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }

    /// What the leg of the row's table outputs for it.
    func project(_ row: [String: JSONValue]) throws -> [String: JSONValue] {
        guard let table = row["Type"]?.text, let leg = legs[table] else { throw KQLLexer.LexError(description: "no leg for \(row["Type"]?.jsonText ?? "?")") }
        var out: [String: JSONValue] = [:]
        for (name, expression) in leg { out[name] = try Self.evaluate(expression, row) }
        return out
    }

    static func evaluate(_ expression: String, _ row: [String: JSONValue]) throws -> JSONValue {
        func inner(_ prefix: String) -> String? {
            guard expression.hasPrefix(prefix + "("), expression.hasSuffix(")") else { return nil }
            return String(expression.dropFirst(prefix.count + 1).dropLast())
        }
        if let argument = inner("tostring") {
            switch try evaluate(argument, row) {
            case .null: return .string("")
            case .string(let s): return .string(s)
            case .number(let n): return .string(n)
            case .bool(let b): return .string(b ? "true" : "false")
            case let value: return .string(value.jsonText)
            }
        }
        if let argument = inner("todynamic") {
            let value = try evaluate(argument, row)
            if case .string(let s) = value {
                if s.isEmpty { return .null }
                return (try? JSONValue.parse(s)) ?? value
            }
            return value
        }
        if let arguments = inner("column_ifexists") {
            guard let comma = arguments.firstIndex(of: ",") else { throw KQLLexer.LexError(description: expression) }
            let column = arguments[..<comma].trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
            if let value = row[column] { return value }
            let fallback = arguments[arguments.index(after: comma)...].trimmingCharacters(in: .whitespaces)
            return fallback == "\"\"" ? .string("") : .null
        }
        if expression.hasPrefix("\""), expression.hasSuffix("\""), expression.count >= 2 {
            return .string(try KQLLexer.tokens(expression).strings[0])
        }
        guard expression.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw KQLLexer.LexError(description: "projection expression the test does not evaluate: \(expression)")
        }
        return row[expression] ?? .null
    }
}

// MARK: - The round-trip fixture

/// One small incident as plain Log Analytics rows, one or more per table the collect query reads;
/// and the writers of the two export layouts.
enum RoundTripFixture {
    static let sid = GraphBuilderTests.sid
    static let alice = GraphBuilderTests.alice
    static let root = "11111111-aaaa-4bbb-8ccc-000000000001"
    static let refresh = "11111111-aaaa-4bbb-8ccc-000000000002"
    static let replay = "11111111-aaaa-4bbb-8ccc-000000000003"
    static let spSignIn = "33333333-0000-4000-8000-000000000001"
    static let miSignIn = "33333333-0000-4000-8000-000000000002"

    /// The rows as their tables export them (GraphBuilderTests' helpers for the user sign-ins and
    /// Graph calls), one NDJSON line each.
    static func nativeLines() -> [String] {
        var lines = [
            GraphBuilderTests.signIn(root, "2026-03-02T08:00:00Z", interactive: true, ip: "203.0.113.10", asn: 3303, device: "dev-laptop"),
            GraphBuilderTests.signIn(refresh, "2026-03-02T09:10:00Z", interactive: false, ip: "203.0.113.11", asn: 3303, device: "dev-laptop"),
            GraphBuilderTests.signIn(replay, "2026-03-02T09:20:00Z", interactive: false, ip: "198.51.100.7", asn: 14061, ua: "python-requests/2.31"),
            GraphBuilderTests.graphCall("22222222-0000-4000-8000-000000000001", "2026-03-02T08:05:00Z", token: GraphBuilderTests.uti(for: root), sid: sid, ip: "203.0.113.10"),
            GraphBuilderTests.graphCall("22222222-0000-4000-8000-000000000002", "2026-03-02T09:21:00Z", token: GraphBuilderTests.uti(for: replay), sid: sid, ip: "198.51.100.7", uri: "https://graph.microsoft.com/v1.0/users"),
            GraphBuilderTests.graphCall("22222222-0000-4000-8000-000000000003", "2026-03-02T09:30:00Z", token: "UnknownTokenAAAAAAAAAA", sid: sid, ip: "203.0.113.10"),
            GraphBuilderTests.graphCall("22222222-0000-4000-8000-000000000005", "2026-03-02T10:00:30Z", token: GraphBuilderTests.uti(for: spSignIn), sid: nil, ip: "192.0.2.1", user: nil),
        ]
        // A service principal's sign-in (its token used by the app-only call above) and a managed identity's, as their
        // tables export them: no CreatedDateTime, LocationDetails as JSON text, no session id.
        for (id, table, time, name) in [(spSignIn, "AADServicePrincipalSignInLogs", "2026-03-02T10:00:00Z", "backup-app"),
                                         (miSignIn, "AADManagedIdentitySignInLogs", "2026-03-02T10:05:00Z", "vm-identity")] {
            lines.append("""
                {"Type":"\(table)","TimeGenerated":"\(time)","Id":"\(id)","CorrelationId":"44444444-0000-4000-8000-000000000001","UniqueTokenIdentifier":"\(GraphBuilderTests.uti(for: id))","ServicePrincipalId":"5e5e5e5e-0000-4000-8000-000000000005","ServicePrincipalName":"\(name)","AppId":"5e5e5e5e-0000-4000-8000-0000000000aa","ResourceIdentity":"00000003-0000-0000-c000-000000000000","ResourceDisplayName":"Microsoft Graph","IPAddress":"192.0.2.1","Location":"US","LocationDetails":"{\\"city\\":\\"Boydton\\",\\"countryOrRegion\\":\\"US\\"}","ResultType":"0","ServicePrincipalCredentialKeyId":"not-read"}
                """)
        }
        // The attacker's inbox rule as Defender for Cloud Apps records it (with the session and token ids) and as
        // OfficeActivity does (without them).
        lines.append("""
            {"Type":"CloudAppEvents","TimeGenerated":"2026-03-02T09:25:30Z","Timestamp":"2026-03-02T09:25:00Z","ReportId":"r-0001","ActionType":"New-InboxRule","Application":"Microsoft Exchange Online","ApplicationId":20893,"AccountObjectId":"\(alice)","AccountId":"\(alice)","AccountDisplayName":"Alice","IPAddress":"198.51.100.7","CountryCode":"US","City":"New York","UserAgent":"python-requests/2.31","OSPlatform":"","ObjectName":"invoices","SessionData":{"InLineSessionId":"proxy-1"},"RawEventData":{"CreationTime":"2026-03-02T09:25:00","Id":"55555555-0000-4000-8000-000000000001","Operation":"New-InboxRule","RecordType":1,"Workload":"Exchange","UserId":"alice@contoso.example","ClientIP":"198.51.100.7:51234","AppAccessContext":{"AADSessionId":"\(sid)","UniqueTokenId":"\(GraphBuilderTests.uti(for: replay))","IssuedAtTime":"2026-03-02T09:15:00"},"Parameters":[{"Name":"Name","Value":"."},{"Name":"MoveToFolder","Value":"RSS Subscriptions"},{"Name":"SubjectContainsWords","Value":"invoice"}]}}
            """)
        lines.append("""
            {"Type":"OfficeActivity","TimeGenerated":"2026-03-02T09:26:00Z","OfficeId":"55555555-0000-4000-8000-000000000001","OfficeWorkload":"Exchange","RecordType":"ExchangeAdmin","Operation":"New-InboxRule","UserId":"Alice@Contoso.example","OrganizationId":"2ad3fc79-1859-42fa-9011-6f8df2251b22","ClientIP":"198.51.100.7:51234","ResultStatus":"True","Parameters":"[\\n  {\\"Name\\": \\"Name\\", \\"Value\\": \\".\\"},\\n  {\\"Name\\": \\"MoveToFolder\\", \\"Value\\": \\"RSS Subscriptions\\"}\\n]","OfficeObjectId":"not-read"}
            """)
        return lines
    }

    static func nativeRows() throws -> [[String: JSONValue]] {
        try nativeLines().map { try JSONValue.parse($0).dictionary }
    }

    /// A Log Analytics JSON export: an array of objects with every column of the union, `null`
    /// where a row's leg has none, dynamic columns as JSON values.
    static func logAnalyticsJSON(_ rows: [[String: JSONValue]], columns: [String]) -> String {
        let objects = rows.map { row in
            JSONValue.object(columns.map { ($0, row[$0] ?? .null) }).jsonText
        }
        return "[\n" + objects.joined(separator: ",\n") + "\n]\n"
    }

    static let datetimeColumns: Set<String> = ["TimeGenerated", "CreatedDateTime", "TokenIssuedAt", "Timestamp"]

    /// A Log Analytics portal CSV export: the same columns, datetime headers suffixed ` [UTC]` and
    /// written `3/2/2026, 8:00:00.000 AM`, booleans `TRUE`/`FALSE`, dynamic columns as JSON text.
    static func logAnalyticsCSV(_ rows: [[String: JSONValue]], columns: [String]) -> String {
        func cell(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = [columns.map { datetimeColumns.contains($0) ? "\($0) [UTC]" : $0 }.map(cell).joined(separator: ",")]
        for row in rows {
            lines.append(columns.map { column -> String in
                switch row[column] ?? .null {
                case .null: return ""
                case .string(let s): return cell(datetimeColumns.contains(column) && !s.isEmpty ? portalTime(s) : s)
                case .bool(let b): return b ? "TRUE" : "FALSE"
                case .number(let n): return n
                case let value: return cell(value.jsonText)
                }
            }.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// `2026-03-02T09:20:00Z` → `3/2/2026, 9:20:00.000 AM`, as the Log Analytics portal writes times.
    static func portalTime(_ iso: String) -> String {
        let parts = iso.dropLast().split(separator: "T")
        let date = parts[0].split(separator: "-").map { Int($0)! }
        let time = parts[1].split(separator: ":").map { Int($0)! }
        let hour12 = time[0] % 12 == 0 ? 12 : time[0] % 12
        let minute = time[1] < 10 ? "0\(time[1])" : "\(time[1])"
        let second = time[2] < 10 ? "0\(time[2])" : "\(time[2])"
        return "\(date[1])/\(date[2])/\(date[0]), \(hour12):\(minute):\(second).000 \(time[0] < 12 ? "AM" : "PM")"
    }

    /// The events as the `events` command prints them, less where they were read from (file, line,
    /// record, export shape, Timesketch message). Of the reader's notes, only "has no zone; read as
    /// UTC" is left out: the portal CSV writes times without a zone and says `[UTC]` in the header,
    /// which the reader strips without taking it as the zone (the times read are the same).
    static func describe(_ events: [Event], files: [String]) throws -> [String] {
        try events.map { event in
            var object = try JSONValue.parse(EventExporter.jsonLine(event, files: files)).dictionary
            for key in ["file", "line", "record", "shape", "message"] { object[key] = nil }
            object["notes"] = .array(event.notes.filter { !$0.contains("has no zone; read as UTC") }.map(JSONValue.string))
            return JSONValue.object(object.keys.sorted().map { ($0, object[$0]!) }).jsonText
        }.sorted()
    }

    /// The graph as comparable lines: sessions, branches, every edge by the records at its ends, and
    /// the unlinked counts.
    static func describe(_ graph: InvestigationGraph) -> [String] {
        func node(_ id: NodeID) -> String {
            let n = graph.nodes[Int(id)]
            if let event = graph.event(of: id) {
                return "\(n.kind.rawValue)[\(event.source.rawValue) \(event.recordId ?? "-") \(event.time.iso8601)]"
            }
            return "\(n.kind.rawValue)[\(n.token ?? "") \(n.time.iso8601)]"
        }
        var lines: [String] = []
        for session in graph.sessions {
            lines.append("session \(session.sessionId) user \(session.user ?? "-") upn \(session.userPrincipalName ?? "-") root \(session.root.map(node) ?? "-") signIns \(session.signIns) tokens \(session.tokens) actions \(session.actions)")
            for branch in session.branches {
                lines.append("  branch \(branch.index) root \(branch.isRoot) network \(branch.context.network) device \(branch.context.device) country \(branch.context.country ?? "-") point \(node(branch.branchPoint)) nodes \(branch.nodes.map(node).sorted().joined(separator: ", "))")
            }
            for id in session.nodes {
                for edge in graph.outgoing(id) { lines.append("  edge \(edge.kind.rawValue) by \(edge.key.rawValue): \(node(edge.from)) -> \(node(edge.to))") }
            }
        }
        lines.append("unlinked \(graph.unlinked)")
        lines.append("dataErrors \(graph.dataErrors.map(\.kind).sorted())")
        return lines.sorted()
    }
}
