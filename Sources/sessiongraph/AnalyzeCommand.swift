import ArgumentParser
import Foundation
import SessionGraph

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Read exports and write the analysis to an output folder.",
        discussion: "Writes DIR/ingest.json (for every file: its source and shape, and how many records were used, duplicate or rejected, with reasons) and DIR/sessions.json (one object per session: start, end, root, counts, networks, devices, branches)."
    )

    @OptionGroup var input: InputOptions

    @Option(name: .long, help: "Output folder (created when missing).")
    var out: String

    func run() throws {
        let result = try input.ingest()
        let graph = GraphBuilder.build(result)
        do {
            try OutputFile.write(IngestReportWriter.json(result), to: (out as NSString).appendingPathComponent("ingest.json"))
            try OutputFile.write(SessionReport.sessionsDocument(graph.sessions, in: graph), to: (out as NSString).appendingPathComponent("sessions.json"))
        } catch {
            printError("cannot write to \(out): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        print(IngestReportWriter.summary(result))
        print("\(graph.sessions.count) sessions (\(graph.sessions.filter { $0.root == nil }.count) with the root absent), \(graph.sessions.filter { $0.branches.count > 1 }.count) with more than one branch")
        for error in graph.dataErrors { print("DATA ERROR: \(TerminalText.safe(error.message, limit: 300))") }
        print("Wrote \(out)/ingest.json, \(out)/sessions.json")
        if result.totals.used == 0 { throw ExitCode(2) }
    }
}
