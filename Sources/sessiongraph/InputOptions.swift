import ArgumentParser
import Foundation
import SessionGraph

/// Input paths and the progress display shared by every command that reads exports.
struct InputOptions: ParsableArguments {
    @Argument(help: "Export files or folders (folders are searched recursively; hidden files are skipped).")
    var paths: [String]

    @Flag(name: .long, help: "Do not show progress on stderr.")
    var quiet = false

    func ingest() throws -> IngestResult {
        var options = IngestOptions()
        if !quiet && isatty(STDERR_FILENO) == 1 {
            options.progress = { done, total, path in
                FileHandle.standardError.write(Data("\r\u{1B}[2Kread \(done)/\(total) files: \(URL(fileURLWithPath: path).lastPathComponent)".utf8))
                if done == total { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            }
        }
        do {
            let result = try Ingestor.ingest(paths: paths, options: options)
            return result
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("sessiongraph: \(message)\n".utf8))
}
