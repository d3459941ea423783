import Foundation
import Testing
@testable import SessionGraph

/// Large CSV exports are read in parts on every core (``FilePartPlan``): the parts joined give
/// the account and the events of the file read whole, and a cut inside a record (a quoted cell
/// that spans lines, as Log Analytics writes JSON columns) sends the file to a whole read.
@Suite struct CSVPartsTests {
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
}
