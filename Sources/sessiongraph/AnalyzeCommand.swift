import ArgumentParser
import Foundation
import SessionGraph

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Read exports and write the analysis to an output folder.",
        discussion: "Writes DIR/ingest.json: for every file, its source and shape and how many records were used, duplicate or rejected (with reasons)."
    )

    @OptionGroup var input: InputOptions

    @Option(name: .long, help: "Output folder (created when missing).")
    var out: String

    func run() throws {
        let result = try input.ingest()
        do {
            try OutputFile.write(IngestReportWriter.json(result), to: (out as NSString).appendingPathComponent("ingest.json"))
        } catch {
            printError("cannot write to \(out): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        print(IngestReportWriter.summary(result))
        print("Wrote \((out as NSString).appendingPathComponent("ingest.json"))")
        if result.totals.used == 0 { throw ExitCode(2) }
    }
}
