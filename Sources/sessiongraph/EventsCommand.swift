import ArgumentParser
import Foundation
import SessionGraph

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print the normalised event stream, one event per line in time order.",
        discussion: "JSONL carries every field of the event model plus Timesketch's datetime, timestamp_desc and message; CSV has the same columns. The ingest summary goes to stderr."
    )

    @OptionGroup var input: InputOptions

    @Option(name: .long, help: "Output format: jsonl or csv.")
    var format: EventExporter.Format = .jsonl

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    func run() throws {
        let result = try input.ingest()
        let files = result.files.map(\.path)
        var text = ""
        if format == .csv { text += EventExporter.csvHeader + "\n" }
        for event in result.events {
            text += format == .csv ? EventExporter.csvRow(event, files: files) : EventExporter.jsonLine(event, files: files)
            text += "\n"
        }
        if let output {
            try OutputFile.write(text, to: output)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        FileHandle.standardError.write(Data("\(result.totals.read) records read = \(result.totals.used) used + \(result.totals.duplicate) duplicate + \(result.totals.rejected) rejected\n".utf8))
        try input.enforceStrict(result)
    }
}

extension EventExporter.Format: ExpressibleByArgument {}
