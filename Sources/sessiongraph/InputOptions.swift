import ArgumentParser
import CAllocatorSettings
import Foundation
import SessionGraph

/// Input paths and the progress display shared by every command that reads exports.
struct InputOptions: ParsableArguments {
    @Argument(help: "Export files or folders (folders are searched recursively; hidden files are skipped).")
    var paths: [String]

    @Flag(name: .long, help: "Do not show progress on stderr.")
    var quiet = false

    @Flag(name: .long, help: "Exit with status 4 when any record or file was rejected (after writing the outputs).")
    var strict = false

    @Option(name: .customLong("max-record-bytes"), help: "Longest one-line record, in bytes (longer ones are rejected).")
    var maxRecordBytes = ReadLimits().maxRecordBytes

    @Option(name: .customLong("max-depth"), help: "Deepest JSON nesting accepted.")
    var maxDepth = ReadLimits().maxDepth

    @Option(name: .customLong("max-string-bytes"), help: "Longest string kept; longer values are cut and the event says so.")
    var maxStringBytes = ReadLimits().maxStringBytes

    @Option(name: .customLong("max-csv-cell-bytes"), help: "Largest CSV cell, in bytes (a larger one rejects its record).")
    var maxCSVCellBytes = ReadLimits().maxCSVCellBytes

    @Option(name: .customLong("max-records-per-file"), help: "Most records read from one file; later ones are rejected.")
    var maxRecordsPerFile = ReadLimits().maxRecordsPerFile

    func validate() throws {
        for (name, value) in [("--max-record-bytes", maxRecordBytes), ("--max-depth", maxDepth), ("--max-string-bytes", maxStringBytes),
                              ("--max-csv-cell-bytes", maxCSVCellBytes), ("--max-records-per-file", maxRecordsPerFile)] where value < 1 {
            throw ValidationError("\(name) must be at least 1 (got \(value))")
        }
    }

    func ingest() throws -> IngestResult {
        InterruptHandler.install()
        var options = IngestOptions()
        options.limits.maxRecordBytes = maxRecordBytes
        options.limits.maxDepth = maxDepth
        options.limits.maxStringBytes = maxStringBytes
        options.limits.maxCSVCellBytes = maxCSVCellBytes
        options.limits.maxRecordsPerFile = maxRecordsPerFile
        if !quiet && isatty(STDERR_FILENO) == 1 {
            let started = Date()
            options.progress = { progress in
                FileHandle.standardError.write(Data("\r\u{1B}[2K\(Self.progressLine(progress, seconds: Date().timeIntervalSince(started)))".utf8))
                if progress.filesDone == progress.files { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            }
        }
        let files: [String]
        do {
            files = try Ingestor.inputFiles(paths)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        if Self.useSmallPages(decodedBytes: Ingestor.decodedBytes(files)) { _ = sessiongraph_use_small_pages() }
        return Ingestor.ingest(files: files, options: options)
    }

    /// From this much input on (decoded), the heap stays on transparent huge pages (2 MiB; see
    /// CAllocatorSettings). Below it a run touches too little memory to gain from fewer page
    /// faults, and on the benchmark's virtual machine it paid for the slow first touch of huge
    /// pages: small pages were about 2 % faster at 488 MB, level at 1.9 GB, and huge pages 4-7 %
    /// faster at 4.9 GB (BENCHMARKS.md, thirteenth round).
    static let hugePageInputBytes = 2 << 30

    /// Whether to turn huge pages off for this run: by the input's size, unless
    /// SESSIONGRAPH_HUGE_PAGES says `on` or `off` (another machine may draw the line elsewhere).
    static func useSmallPages(decodedBytes: Int) -> Bool {
        switch ProcessInfo.processInfo.environment["SESSIONGRAPH_HUGE_PAGES"] {
        case "on": false
        case "off": true
        default: decodedBytes < hugePageInputBytes
        }
    }

    /// `read 2/4 files, 300/488 MB, 180000 records, 110 MB/s, ETA 2 s`.
    static func progressLine(_ progress: IngestProgress, seconds: Double) -> String {
        let rate = Double(progress.bytesDone) / 1e6 / max(seconds, 0.001)
        let eta = rate > 0 ? Double(progress.bytes - progress.bytesDone) / 1e6 / rate : 0
        return String(format: "read %d/%d files, %.0f/%.0f MB, %d records, %.0f MB/s, ETA %.0f s", progress.filesDone, progress.files,
                      Double(progress.bytesDone) / 1e6, Double(progress.bytes) / 1e6, progress.records, rate, eta)
    }

    /// `--strict`: exit 4 when anything was rejected.
    func enforceStrict(_ result: IngestResult) throws {
        guard strict, result.totals.rejected > 0 || result.totals.unrecognisedFiles > 0 else { return }
        printError("--strict: \(result.totals.rejected) records and \(result.totals.unrecognisedFiles) files were rejected")
        throw ExitCode(4)
    }
}

/// Ctrl-C stops at once with a message. Every output is written to a temporary file and put in
/// place in one step, so an interrupted run leaves the previous outputs whole.
enum InterruptHandler {
    static func install() {
        signal(SIGINT) { _ in
            let message = "\nsessiongraph: interrupted; no output was left half-written\n"
            message.withCString { _ = write(STDERR_FILENO, $0, strlen($0)) }
            _exit(130)
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("sessiongraph: \(message)\n".utf8))
}
