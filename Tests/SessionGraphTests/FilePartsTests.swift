import Foundation
import Testing
@testable import SessionGraph

/// Large CSV exports and files of envelopes a line each (Event Hub messages) are read in parts
/// on every core (``FilePartPlan``): the parts joined give the account and the events of the
/// file read whole, and a cut inside a record (a quoted cell that spans lines, as Log Analytics
/// writes JSON columns), or a part that does not end among envelopes, sends the file to a whole
/// read. (NDJSON and array parts: ``FastPathTests``.)
@Suite struct FilePartsTests {
    static let logAnalyticsSignIns = "signinlogs/log-analytics-csv_SigninLogs_azure-sentinel-training-lab_2021_first4.csv"
    static let logAnalyticsOffice = "unified-audit/log-analytics-csv_OfficeActivity_azure-sentinel-training-lab_2021.csv"
    static let purview = "unified-audit/purview-export_huntress-ctf-2023_rogue-inbox.csv"

    /// Limits that split any file of a kilobyte or more, and list every rejection.
    static var splitting: ReadLimits {
        var limits = ReadLimits()
        limits.splitFilesFrom = 1024
        limits.maxListedRejections = 100_000
        return limits
    }

    /// Checks that parts joined give what the whole read gave: counts, rejections, remarks,
    /// format and events.
    static func expectSameAccount(_ joined: FileReadOutcome, _ whole: FileReadOutcome, path: String,
                                  sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(joined.format == whole.format && joined.unrecognised == whole.unrecognised, sourceLocation: sourceLocation)
        #expect(joined.read == whole.read && joined.rejected == whole.rejected, sourceLocation: sourceLocation)
        #expect(firstDifference(joined.rejections, whole.rejections) == nil, "lines, record numbers and reasons", sourceLocation: sourceLocation)
        #expect(joined.rejectionsByReason == whole.rejectionsByReason, sourceLocation: sourceLocation)
        #expect(joined.remarks == whole.remarks, sourceLocation: sourceLocation)
        #expect(firstDifference(joined.events.map { EventExporter.jsonLine($0, files: [path]) },
                                whole.events.map { EventExporter.jsonLine($0, files: [path]) }) == nil, sourceLocation: sourceLocation)
        #expect(joined.mergeFacts.count == joined.events.count, sourceLocation: sourceLocation)
    }

    /// The text's lines, without their CR or LF (a CRLF is one `Character`, so the text is
    /// split by its scalars), empty ones left out.
    static func lines(of text: String) -> [String] {
        text.unicodeScalars.split(separator: "\n").map { String(String.UnicodeScalarView($0.last == "\r" ? $0.dropLast() : $0[...])) }
            .filter { !$0.isEmpty }
    }

    /// Reads the file in four parts (expecting a plan of four whose parts stand) and whole, and
    /// checks that they agree; returns the whole read.
    static func expectFourPartsReadAsWhole(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> FileReadOutcome {
        let reader = FileReader(path: path, fileIndex: 0, limits: splitting)
        let plan = try #require(reader.partPlan(parts: 4), sourceLocation: sourceLocation)
        #expect(plan.starts.count == 4, sourceLocation: sourceLocation)
        var parts = plan.starts.indices.map { reader.readPart(plan, $0) }
        #expect(!FileReader.partsNeedWholeRead(parts, limits: splitting), sourceLocation: sourceLocation)
        let whole = reader.read()
        expectSameAccount(FileReader.joined(&parts, limits: splitting), whole, path: path, sourceLocation: sourceLocation)
        return whole
    }

    /// A small file read in two parts (split from 32 bytes on): its reader, the limits, the parts.
    static func inTwoParts(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> (FileReader, ReadLimits, [FileReadOutcome]) {
        var limits = splitting
        limits.splitFilesFrom = 32
        let reader = FileReader(path: path, fileIndex: 0, limits: limits)
        let plan = try #require(reader.partPlan(parts: 2), sourceLocation: sourceLocation)
        return (reader, limits, plan.starts.indices.map { reader.readPart(plan, $0) })
    }

    /// The run's ingest of the file read whole, and split from a kilobyte on.
    static func ingestedWholeAndSplit(_ path: String) -> (whole: IngestResult, split: IngestResult) {
        var split = IngestOptions(), unsplit = IngestOptions()
        split.limits = splitting
        unsplit.limits = splitting
        unsplit.limits.splitFilesFrom = .max
        return (Ingestor.ingest(files: [path], options: unsplit), Ingestor.ingest(files: [path], options: split))
    }

    /// The offsets at which a line starts after the first line, with each one's line number.
    static func lineStarts(_ bytes: [UInt8]) -> [(offset: Int, line: Int)] {
        var starts: [(Int, Int)] = []
        var line = 1
        for (offset, byte) in bytes.enumerated() where byte == 0x0A {
            line += 1
            if offset + 1 < bytes.count { starts.append((offset + 1, line)) }
        }
        return starts
    }

    /// Each line start of a real export taken as the one cut: the cuts that stand are the
    /// starts of the rows after the first (none inside a quoted cell that spans lines, none at
    /// the first row, which would leave the first part no row), and each gives the whole read.
    @Test(arguments: [(logAnalyticsSignIns, 1), (logAnalyticsOffice, 1), (purview, 13)])
    func aCutStandsExactlyAtTheStartOfALaterRow(sample: String, stride: Int) throws {
        guard samplesAvailable else { return }
        let path = samplePath(sample)
        let reader = FileReader(path: path, fileIndex: 0, limits: Self.splitting)
        let whole = reader.read()
        #expect(whole.format == "csv" && whole.read > 1)
        let rowLines = Set(whole.events.map { Int($0.provenance.line) } + whole.rejections.map(\.line))
        let template = try #require(reader.partPlan(parts: 2))
        #expect(template.layout != .array && template.layout != .ndjson)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var tried: Set<Int> = [], standing: Set<Int> = []
        for (index, start) in Self.lineStarts(bytes).enumerated() where index % stride == 0 {
            tried.insert(start.line)
            let plan = FilePartPlan(input: template.input, starts: [template.starts[0], start.offset], end: template.end, layout: template.layout)
            var parts = [reader.readPart(plan, 0), reader.readPart(plan, 1)]
            guard !FileReader.partsNeedWholeRead(parts, limits: Self.splitting) else { continue }
            standing.insert(start.line)
            Self.expectSameAccount(FileReader.joined(&parts, limits: Self.splitting), whole, path: path)
        }
        let laterRows = rowLines.subtracting([rowLines.min() ?? 0]).intersection(tried)
        #expect(!laterRows.isEmpty)
        #expect(standing == laterRows, "cuts that stand: \(standing.sorted()); later rows tried: \(laterRows.sorted())")
    }

    /// A Purview export as PowerShell writes it (byte-order mark, `#TYPE` line, CRLF), joined
    /// with `cat` (its header again), with a row wider than the header and blank lines: cut in
    /// four, it reads as it reads whole, and the run's account is the same either way.
    @Test func purviewExportReadInFourParts() throws {
        guard samplesAvailable else { return }
        let text = try String(contentsOfFile: samplePath(Self.purview), encoding: .utf8)
        let lines = Self.lines(of: text)
        let header = lines[0], rows = Array(lines.dropFirst())
        var body: [String] = ["#TYPE Deserialized.Microsoft.Exchange.Management.SystemConfigurationTasks.AuditRecord", header]
        for copy in 0..<3 {
            body += rows
            body += copy == 0 ? ["", header] : [rows[5] + ",extra,cells"]
        }
        let folder = try Scratch()
        let path = try folder.write("AuditLog.csv", bytes: [0xEF, 0xBB, 0xBF] + Array((body.joined(separator: "\r\n") + "\r\n").utf8))
        let whole = try Self.expectFourPartsReadAsWhole(path)
        #expect(whole.rejected >= 3 && whole.remarks.contains { $0.contains("#TYPE") })
        let (a, b) = Self.ingestedWholeAndSplit(path)
        #expect(a.totals == b.totals && a.files == b.files && b.totals.duplicate > 0)
        #expect(firstDifference(a.events.map(\.provenance), b.events.map(\.provenance)) == nil)
    }

    /// A Log Analytics export whose JSON columns are pretty-printed across lines: the cuts are
    /// found at row starts, not inside the cells.
    @Test func logAnalyticsExportWithCellsAcrossLinesReadInParts() throws {
        guard samplesAvailable else { return }
        let text = try String(contentsOfFile: samplePath(Self.logAnalyticsSignIns), encoding: .utf8)
        let headerEnd = try #require(text.firstIndex(of: "\n"))
        let header = text[...headerEnd], rows = text[text.index(after: headerEnd)...]
        let folder = try Scratch()
        let path = try folder.write("SigninLogs.csv", header + String(repeating: String(rows), count: 40))
        let whole = try Self.expectFourPartsReadAsWhole(path)
        #expect(whole.read == 160 && whole.rejected == 0)
    }

    /// A quote that opens in the middle of the file and never closes: the part it starts in
    /// ends inside it, and the file is read again whole, with the whole read's account.
    @Test func aQuoteThatNeverClosesSendsTheFileToAWholeRead() throws {
        var lines = ["TimeGenerated,UserPrincipalName,IPAddress,ResultType,CorrelationId"]
        for n in 0..<2000 {
            lines.append("2026-03-02T10:\(String(format: "%02d", n % 60)):00Z,user\(n)@contoso.com,203.0.113.\(n % 200),0,c\(n)")
        }
        lines[200] = #"2026-03-02T10:00:00Z,"user@contoso.com,203.0.113.1,0,c"#
        let folder = try Scratch()
        let path = try folder.write("unclosed.csv", lines.joined(separator: "\n") + "\n")
        let reader = FileReader(path: path, fileIndex: 0, limits: Self.splitting)
        let plan = try #require(reader.partPlan(parts: 4))
        let parts = plan.starts.indices.map { reader.readPart(plan, $0) }
        #expect(parts[0].partMisaligned && FileReader.partsNeedWholeRead(parts, limits: Self.splitting))
        let (a, b) = Self.ingestedWholeAndSplit(path)
        #expect(a.totals == b.totals && a.files == b.files)
        #expect(a.totals.read == 200 && b.files.first?.rejections.last?.reason.contains("unbalanced quote") == true)
    }

    /// The separator is guessed from up to 64 KiB after the header (a stray quote in it makes
    /// the guess read on): the first part takes the heading the plan read from the whole file,
    /// not a guess from its own bytes, which end at its cut. (Found in review: the first part
    /// guessed `,` where the whole file gives `;`.)
    @Test func theFirstPartTakesTheHeadingOfTheWholeFile() throws {
        let rows = (1...8).map { "2024-01-0\($0)T00:00:00Z,u\($0 - 1)" }
        let text = (["TimeGenerated,Id\";Type"] + rows + ["x;y", "c\"d;;;", "p;q", "p;q", "p;q", "z;w", "z;w"]).joined(separator: "\n") + "\n"
        let folder = try Scratch()
        let path = try folder.write("separator.csv", text)
        let (reader, limits, readParts) = try Self.inTwoParts(path)
        var parts = readParts
        let whole = reader.read()
        #expect(whole.remarks.contains("separator ';'"))
        #expect(!FileReader.partsNeedWholeRead(parts, limits: limits))
        Self.expectSameAccount(FileReader.joined(&parts, limits: limits), whole, path: path)
    }

    // MARK: envelopes a line each

    /// The parts fixture's records (``FastPathTests/partsFixture(records:broken:lineEnd:)``) in
    /// envelopes of ten, a line each: Event Hub messages, or Graph pages with their `@odata`
    /// members. `replacing` puts other lines in place of some envelopes, by index.
    static func envelopeFixture(records: Int, graphPages: Bool, replacing: [Int: String] = [:]) -> String {
        let lines = FastPathTests.partsFixture(records: records).split(separator: "\n").filter { !$0.isEmpty }
        var envelopes: [String] = []
        for start in stride(from: 0, to: lines.count, by: 10) {
            let batch = lines[start..<min(start + 10, lines.count)].joined(separator: ",")
            envelopes.append(graphPages ? #"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns","value":["# + batch + "]}"
                                        : #"{"records": ["# + batch + "]}")
        }
        for (index, line) in replacing { envelopes[index] = line }
        return envelopes.joined(separator: "\n") + "\n"
    }

    /// Envelopes a line each, cut in four at envelope lines, read as the file is read whole.
    @Test(arguments: [false, true]) func envelopesALineEachReadInFourParts(graphPages: Bool) throws {
        let folder = try Scratch()
        let path = try folder.write("messages.json", Self.envelopeFixture(records: 1500, graphPages: graphPages))
        let plan = try #require(FileReader(path: path, fileIndex: 0, limits: Self.splitting).partPlan(parts: 4))
        #expect(plan.layout == .envelopes(graphPages ? .graphPage : .recordsEnvelope))
        let whole = try Self.expectFourPartsReadAsWhole(path)
        #expect(whole.read > 1500 && whole.rejected > 5 && whole.remarks.isEmpty)
    }

    /// A stray line among the envelopes (a record that is not one): the envelopes after it are
    /// still read as envelopes, whole or in parts.
    @Test func aStrayLineAmongEnvelopesLeavesTheEnvelopesAfterIt() throws {
        let folder = try Scratch()
        let stray = #"{"note":"not an envelope"}"#
        let path = try folder.write("messages.json", Self.envelopeFixture(records: 1500, graphPages: false, replacing: [20: stray, 21: stray + stray]))
        let clean = try folder.write("clean.json", Self.envelopeFixture(records: 1500, graphPages: false))
        let whole = try Self.expectFourPartsReadAsWhole(path)
        let wholeClean = FileReader(path: clean, fileIndex: 0, limits: Self.splitting).read()
        // Two envelopes of ten records each gave way to three records that are not an export.
        #expect(whole.read == wholeClean.read - 20 + 3, "the records of the envelopes after the stray lines are read")
        #expect(whole.rejectionsByReason.keys.contains { $0.contains("unrecognised") })
    }

    /// An envelope cut off in the first part, after which a whole read reads nothing more (the
    /// rest of the file is said in a remark): the part does not end as it should, and the file
    /// is read again whole.
    @Test func anEnvelopeCutOffSendsTheFileToAWholeRead() throws {
        let folder = try Scratch()
        let path = try folder.write("messages.json", Self.envelopeFixture(records: 1500, graphPages: false, replacing: [20: #"{"records": [{"a":1},"#]))
        let reader = FileReader(path: path, fileIndex: 0, limits: Self.splitting)
        let plan = try #require(reader.partPlan(parts: 4))
        let parts = plan.starts.indices.map { reader.readPart(plan, $0) }
        #expect(FileReader.partsNeedWholeRead(parts, limits: Self.splitting))
        let (a, b) = Self.ingestedWholeAndSplit(path)
        #expect(a.totals == b.totals && a.files == b.files)
        #expect(a.files.first?.remarks.contains { $0.contains("not read") } == true)
    }

    /// A first part of empty envelopes reads no record, so the file's first record (asked
    /// whether the file is a simulator's truth.json) is in a later part: read whole. (Found in
    /// review: the later part rejected it as a record, where the whole read refuses the file.)
    @Test func aFirstPartWithoutRecordsSendsTheFileToAWholeRead() throws {
        let folder = try Scratch()
        let text = #"{"records":[],"pad":"\#(String(repeating: "x", count: 68))"}"# + "\n" + #"{"records":[{"incidents":[],"seed":1,"layout":"x"}]}"# + "\n"
        let path = try folder.write("truth-like.json", text)
        let (reader, limits, parts) = try Self.inTwoParts(path)
        #expect(parts[0].read == 0 && FileReader.partsNeedWholeRead(parts, limits: limits))
        #expect(reader.read().unrecognised?.contains("ground truth") == true)
    }

    /// A cut is made only at a line that is an envelope of the first line's kind, and a file of
    /// records a line each is not cut at an envelope.
    @Test func cutsOnlyAtLinesOfTheFirstLinesKind() throws {
        let folder = try Scratch()
        let pages = Self.envelopeFixture(records: 1500, graphPages: true).split(separator: "\n")
        let messages = Self.envelopeFixture(records: 1500, graphPages: false).split(separator: "\n")
        // Messages, then pages from the middle on: no cut lands in the pages.
        let mixed = try folder.write("mixed.json", (messages.prefix(75) + pages.suffix(75)).joined(separator: "\n") + "\n")
        let plan = try #require(FileReader(path: mixed, fileIndex: 0, limits: Self.splitting).partPlan(parts: 4))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: mixed)))
        #expect(plan.starts.allSatisfy { bytes[$0 + 2] == UInt8(ascii: "r") }, "each part starts at a {\"records\" line")
        #expect(plan.starts.count < 4)
        // Envelopes only past the middle of NDJSON: not cut there.
        let ndjson = FastPathTests.partsFixture(records: 1500).split(separator: "\n").filter { !$0.isEmpty }
        let tail = try folder.write("tail.json", (ndjson.prefix(750) + messages.suffix(75)).joined(separator: "\n") + "\n")
        let tailPlan = try #require(FileReader(path: tail, fileIndex: 0, limits: Self.splitting).partPlan(parts: 4))
        #expect(tailPlan.layout == .ndjson && tailPlan.starts.count < 4)
    }
}
