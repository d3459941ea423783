import ArgumentParser
import Foundation
import SessionGraph

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Read exports, link sessions, run the detections and write the results to an output folder.",
        discussion: """
            Writes DIR/ingest.json (for every file: its source and shape, and how many records were used, \
            duplicate or rejected, with reasons), DIR/sessions.json (one object per session: start, end, root, \
            counts, networks, devices, branches), DIR/findings.json and DIR/findings.jsonl (every finding with \
            its rule, family, severity, reason and evidence records).
            """
    )

    @OptionGroup var input: InputOptions

    @Option(name: .long, help: "Output folder (created when missing).")
    var out: String

    @Option(name: .long, help: "Site configuration: trusted networks, hosting ASNs, allow-list, tenant domains (JSON, see README).")
    var config: String?

    @Option(name: .customLong("fail-on"), help: "Exit with status 3 when a finding reaches this severity (info, low, medium, high).")
    var failOn: Severity?

    func run() throws {
        let settings: DetectionConfig
        do {
            settings = try config.map(DetectionConfig.load) ?? DetectionConfig()
        } catch {
            printError(String(describing: error))
            throw ExitCode(64)
        }
        let result = try input.ingest()
        let graph = GraphBuilder.build(result)
        let findings = Detector.run(graph, config: settings)
        let folder = URL(fileURLWithPath: out)
        do {
            try OutputFile.write(IngestReportWriter.json(result), to: folder.appendingPathComponent("ingest.json").path)
            try OutputFile.write(SessionReport.sessionsDocument(graph.sessions, in: graph), to: folder.appendingPathComponent("sessions.json").path)
            let now = UTCInstant(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))
            try OutputFile.write(FindingsReport.document(findings, inputs: input.paths, generatedAt: now), to: folder.appendingPathComponent("findings.json").path)
            try OutputFile.write(FindingsReport.jsonLines(findings), to: folder.appendingPathComponent("findings.jsonl").path)
        } catch {
            printError("cannot write to \(out): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        print(IngestReportWriter.summary(result))
        print("\(graph.sessions.count) sessions (\(graph.sessions.filter { $0.root == nil }.count) with the root absent), \(graph.sessions.filter { $0.branches.count > 1 }.count) with more than one branch")
        for error in graph.dataErrors { print("DATA ERROR: \(TerminalText.safe(error.message, limit: 300))") }
        print("")
        print(FindingsReport.table(findings))
        print("Wrote \(out)/ingest.json, sessions.json, findings.json, findings.jsonl")
        if result.totals.used == 0 { throw ExitCode(2) }
        if let failOn, findings.contains(where: { $0.severity >= failOn }) { throw ExitCode(3) }
    }
}

extension Severity: ExpressibleByArgument {}
