import ArgumentParser
import CAllocatorSettings
import Foundation
import SessionGraph
import SessionGraphRenderer

enum RenderScope: String, ExpressibleByArgument, CaseIterable {
    case none, flagged, all
}

struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Read exports, link sessions, run the detections and write the results to an output folder.",
        discussion: """
            Writes DIR/ingest.json (for every file: its source and shape, and how many records were used, \
            duplicate or rejected, with reasons), DIR/sessions.json (one object per session: start, end, root, \
            counts, networks, devices, branches), DIR/findings.json and DIR/findings.jsonl (every finding with \
            its rule, family, severity, reason and evidence records), DIR/sessions/<sid>.dot and .svg for the \
            sessions with a finding of medium or higher, at most --max-diagrams of them, highest-ranked first \
            (and <sid>.suspicious.dot/.svg, the suspicious view), and DIR/report.html, a self-contained briefing.
            """
    )

    @OptionGroup var input: InputOptions

    @Option(name: .long, help: "Output folder (created when missing).")
    var out: String

    @Option(name: .long, help: "Site configuration: trusted networks, hosting ASNs, allow-list, tenant domains (JSON, see README).")
    var config: String?

    @Option(name: .customLong("fail-on"), help: "Exit with status 3 when a finding reaches this severity (info, low, medium, high).")
    var failOn: Severity?

    @Option(name: .long, help: "Which sessions to draw: none, flagged (a finding of medium or higher), all (the flagged first); at most --max-diagrams of them.")
    var render: RenderScope = .flagged

    @Option(name: .customLong("node-budget"), help: "Most items drawn in one diagram; above it the diagram collapses further.")
    var nodeBudget = 300

    @Option(name: .customLong("max-diagrams"), help: "Most sessions drawn (DOT and SVG files, and a section of report.html each), highest-ranked first (a session ranks by its highest-ranked finding); `sessiongraph session <sid> <inputs> --format svg -o FILE` draws any other.")
    var maxDiagrams = 50

    @Flag(name: .long, help: "Pseudonymise users, IPs (keeping /24 and /48 groups), device ids and names, and tenant ids in every output; the mapping goes to DIR/redaction-map.json.")
    var redact = false

    func validate() throws {
        if maxDiagrams < 0 { throw ValidationError("--max-diagrams must be at least 0 (got \(maxDiagrams))") }
        // The tool never writes into its inputs: an output folder inside an input folder would
        // also be read back as input by the next run.
        let target = URL(fileURLWithPath: out).standardizedFileURL.resolvingSymlinksInPath().path
        for path in input.paths {
            let source = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
            if target == source || target.hasPrefix(source.hasSuffix("/") ? source : source + "/") {
                throw ValidationError("--out \(out) is inside the input \(path); choose an output folder outside the inputs")
            }
        }
    }

    /// Each text from the logs redacted before an output escapes or cuts it, under `--redact`.
    static func textFilter(_ redactor: Redactor?) -> (@Sendable (String) -> String)? {
        guard let redactor else { return nil }
        return { text in redactor.apply(text) }
    }

    func run() async throws {
        let settings: DetectionConfig
        do {
            settings = try config.map(DetectionConfig.load) ?? DetectionConfig()
        } catch {
            printError(String(describing: error))
            throw ExitCode(64)
        }
        var clock = StageClock()
        let result = try input.ingest()
        clock.mark("ingest")
        let graph = GraphBuilder.build(result)
        clock.mark("link")
        // The redaction table needs the events alone: it is made while detection runs (its
        // automaton is one core's work).
        let redact = self.redact
        async let redaction: (redactor: Redactor?, seconds: Double) = onDispatchQueue {
            let started = DispatchTime.now().uptimeNanoseconds
            let redactor = redact ? Redactor(events: graph.events) : nil
            return (redactor, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        }
        let findings = Detector.run(graph, config: settings)
        clock.mark("detect")
        defer { clock.report() }
        // Hundreds of thousands of events are freed by the OS at exit in one step, not one by one.
        ProcessLifetime.keep(result, graph, findings)
        let folder = URL(fileURLWithPath: out)
        let now = UTCInstant(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))

        // Diagrams of the flagged (or all) sessions, the highest-ranked first (a session ranks by
        // its highest-ranked finding), at most --max-diagrams of them: two Graphviz layouts a
        // session add up, and an export with thousands of flagged sessions (an audit log alone,
        // with no sign-in to vouch for its networks) took half a minute to draw them all.
        let rankOf = FindingsReport.flaggedRanks(findings, in: graph.sessions).map { $0 ?? Int.max }
        let candidates: [Int] = switch render {
        case .none: []
        case .flagged: graph.sessions.indices.filter { rankOf[$0] != Int.max }
        case .all: Array(graph.sessions.indices)
        }
        let chosen = Array(candidates.sorted { (rankOf[$0], $0) < (rankOf[$1], $1) }.prefix(maxDiagrams))
        var drawn = 0, earlierDiagrams = 0
        let idCounts = Dictionary(grouping: graph.sessions.map(\.sessionId), by: { $0 }).mapValues(\.count)
        // Each diagram is given its session's findings, not all of them (a filter of every
        // finding per diagram grew with sessions times findings).
        let findingsBySession = Dictionary(grouping: findings.filter { $0.sessionId != nil }, by: { $0.sessionId! })
        var diagrams: [Int: String] = [:]
        let (redactor, redactionSeconds) = try await redaction
        // Diagrams are redacted text by text, before lines are cut to their length.
        var diagram = SessionDiagram(view: .full, nodeBudget: nodeBudget)
        let textFilter: (@Sendable (String) -> String)? = Self.textFilter(redactor)
        diagram.textFilter = textFilter
        var suspiciousDiagram = diagram
        suspiciousDiagram.view = .suspicious
        func shown(_ text: String) -> String { textFilter?(text) ?? text }
        do {
            // The JSON documents are independent of the diagrams: they are encoded and written on
            // every core while Graphviz (one core) draws the diagrams.
            let paths = input.paths
            let outputsStarted = DispatchTime.now().uptimeNanoseconds
            @Sendable func secondsSince(_ start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
            async let documentsWritten: Double = onDispatchQueue {
                // Each document streams to its file, a chunk of lines at a time (ingest.json,
                // small, is redacted whole).
                @Sendable func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
                let jobs: [@Sendable () throws -> Void] = [
                    {
                        // A redacted run replaces the values as each line is encoded.
                        try OutputFile.stream(to: path("sessions.json")) { SessionReport.writeSessions(graph.sessions, in: graph, to: &$0, filter: textFilter) }
                    },
                    {
                        // The two findings files together, each finding encoded (and redacted) once for both.
                        try OutputFile.stream(to: path("findings.json"), and: path("findings.jsonl")) { document, lines in
                            FindingsReport.write(findings, inputs: paths, generatedAt: now, document: &document, lines: &lines, filter: textFilter)
                        }
                    },
                    {
                        // File paths can name the tenant (`tenantId=<GUID>/` in Azure Monitor exports).
                        let document = IngestReportWriter.json(result)
                        try OutputFile.write(redactor?.apply(document) ?? document, to: path("ingest.json"))
                    },
                ]
                let failures = WriteFailures()
                DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
                    do {
                        try jobs[index]()
                    } catch {
                        failures.add(error)
                    }
                }
                if let error = failures.first { throw error }
                if let redactor {
                    try OutputFile.write(redactor.mappingDocument(), to: folder.appendingPathComponent("redaction-map.json").path)
                }
                return secondsSince(outputsStarted)
            }
            // The report's opening (summary and findings) needs no diagram: it is made beside them;
            // the flagged sessions, which show the diagrams, are added once those are drawn.
            async let reportOpening: String = onDispatchQueue {
                var report = BriefingReport(ingest: result, graph: graph, findings: findings, diagrams: [:], generatedAt: now, inputs: paths)
                report.textFilter = textFilter
                return report.opening()
            }
            // The diagrams and the report: an error here still waits for the documents, so that
            // both failures are said and no write is left running.
            var diagramSeconds = 0.0, reportSeconds = 0.0
            // This run's diagram files, each named once it is written: a view not drawn this run
            // (the suspicious view of a session no longer flagged, an SVG Graphviz refused) is an
            // earlier run's, and goes once these are drawn.
            let sessionsFolder = folder.appendingPathComponent("sessions")
            var written = Set<String>()
            func put(_ content: Data, as fileName: String) throws {
                try OutputFile.write(content, to: sessionsFolder.appendingPathComponent(fileName).path)
                written.insert(fileName)
            }
            do {
                for index in chosen {
                    let session = graph.sessions[index]
                    let sessionFindings = findingsBySession[session.sessionId] ?? []
                    let dot = diagram.dot(session, in: graph, findings: sessionFindings)
                    let name = OutputFile.sessionFileName(sessionId: session.sessionId, index: index, shared: (idCounts[session.sessionId] ?? 0) > 1)
                    try put(Data(dot.utf8), as: name + ".dot")
                    do {
                        let svg = try await DiagramWriter.render(dot, format: .svg)
                        try put(Data(svg), as: name + ".svg")
                        drawn += 1
                        if rankOf[index] != Int.max {
                            diagrams[index] = String(decoding: svg, as: UTF8.self)
                            // The suspicious view too: only the anomalous branches and their ancestry.
                            let suspicious = suspiciousDiagram.dot(session, in: graph, findings: sessionFindings)
                            try put(Data(suspicious.utf8), as: name + ".suspicious.dot")
                            try put(Data(try await DiagramWriter.render(suspicious, format: .svg)), as: name + ".suspicious.svg")
                        }
                    } catch let error as GraphvizError {
                        // The session id comes from the logs, and Graphviz's message may quote the DOT.
                        printError("session \(TerminalText.safe(session.sessionId)): \(TerminalText.safe(String(describing: error), limit: 300))")
                    }
                }
                earlierDiagrams = OutputFile.removeEarlierDiagrams(in: sessionsFolder.path, keeping: written)
                diagramSeconds = secondsSince(outputsStarted)
                // Redacted text by text, as the diagrams are: one pass, before any text is cut.
                var report = BriefingReport(ingest: result, graph: graph, findings: findings, diagrams: diagrams, generatedAt: now, inputs: paths)
                report.textFilter = textFilter
                try OutputFile.write(report.html(opening: try await reportOpening), to: folder.appendingPathComponent("report.html").path)
                reportSeconds = secondsSince(outputsStarted) - diagramSeconds
            } catch {
                do {
                    _ = try await documentsWritten
                } catch let documentsError {
                    printError("cannot write to \(out): \(documentsError.localizedDescription)")
                }
                throw error
            }
            let documentSeconds = try await documentsWritten
            clock.mark("outputs")
            clock.detail("outputs: \(redact ? "redaction table \(String(format: "%.3f", redactionSeconds)) s (its automaton \(String(format: "%.3f", redactor?.automatonSeconds ?? 0)) s; made beside detection), then " : "")JSON documents \(String(format: "%.3f", documentSeconds)) s, beside them diagrams \(String(format: "%.3f", diagramSeconds)) s then report.html \(String(format: "%.3f", reportSeconds)) s")
        } catch {
            printError("cannot write to \(out): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        print(shown(IngestReportWriter.summary(result)))
        print("\(graph.sessions.count) sessions (\(graph.sessions.filter { $0.root == nil }.count) with the root absent), \(graph.sessions.filter { $0.branches.count > 1 }.count) with more than one branch")
        for error in graph.dataErrors { print("DATA ERROR: \(TerminalText.safe(shown(error.message), limit: 300))") }
        print("")
        // The findings the table shows, redacted before it cuts a user or a reason to its column
        // (one pass: the table's own text holds no value from the logs).
        let tableLimit = 40
        print(FindingsReport.table(redactor.map { redactor in findings.prefix(tableLimit).map(redactor.apply) + findings.dropFirst(tableLimit) } ?? findings, limit: tableLimit))
        if redact { print("Redacted: the pseudonym mapping is in \(out)/redaction-map.json; keep it out of what you share") }
        print("Wrote \(out)/ingest.json, sessions.json, findings.json, findings.jsonl, report.html and \(drawn) session diagrams"
              + (earlierDiagrams > 0 ? " (removed \(earlierDiagrams) diagram files of an earlier run's sessions from \(out)/sessions)" : ""))
        if candidates.count > chosen.count {
            let sessions = "\(render == .all ? "" : "flagged ")session\(candidates.count == 1 ? "" : "s")"
            print("Drew \(chosen.count) of \(candidates.count) \(sessions), highest-ranked first (--max-diagrams \(maxDiagrams)); draw any other with: sessiongraph session <sid> <the same inputs> --format svg -o FILE\(config == nil ? "" : " --config <the same file>") (and --user <user> when two users share the id)")
        }
        if result.totals.used == 0 { throw ExitCode(2) }
        if let failOn, findings.contains(where: { $0.severity >= failOn }) { throw ExitCode(3) }
        try input.enforceStrict(result)
    }
}

extension Severity: ExpressibleByArgument {}

/// Errors from concurrent writes, kept for the caller.
private final class WriteFailures: @unchecked Sendable {
    private var errors: [any Error] = []
    private let lock = NSLock()

    func add(_ error: any Error) {
        lock.lock()
        errors.append(error)
        lock.unlock()
    }

    var first: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return errors.first
    }
}

/// Runs `work` on a dispatch thread (it may block in `concurrentPerform`, which a task of the
/// cooperative pool must not) and resumes when it is done.
func onDispatchQueue<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, Error>) in
        DispatchQueue.global(qos: .userInitiated).async {
            do {
                continuation.resume(returning: try work())
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}

/// Wall time, CPU time (all threads, user and system) and memory per stage, printed to stderr
/// when `SESSIONGRAPH_PROFILE=1` (used by the benchmark). CPU time over wall time says how
/// well a stage uses the cores.
struct StageClock {
    private var last = DispatchTime.now().uptimeNanoseconds
    private var lastCPU = ProcessUsage.cpuSeconds()
    private var stages: [String] = []
    private var details: [String] = []

    mutating func mark(_ stage: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        let cpu = ProcessUsage.cpuSeconds()
        let seconds: Double = Double(now - last) / 1e9
        let memory: String = Self.residentMemory()
        stages.append(stage + " " + String(format: "%.3f", seconds) + " s (cpu " + String(format: "%.2f", cpu - lastCPU) + " s, " + memory + ")")
        last = now
        lastCPU = cpu
    }

    /// A line of detail about a stage, said after the stages.
    mutating func detail(_ text: String) { details.append(text) }

    func report() {
        guard ProcessInfo.processInfo.environment["SESSIONGRAPH_PROFILE"] == "1" else { return }
        FileHandle.standardError.write(Data(("profile: " + stages.joined(separator: ", ") + "\n").utf8))
        for detail in details { FileHandle.standardError.write(Data(("profile " + detail + "\n").utf8)) }
        var summary = [CChar](repeating: 0, count: 256)
        sessiongraph_allocator_summary(&summary, summary.count)
        let allocator = String(decoding: summary.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        FileHandle.standardError.write(Data(("profile allocator: " + allocator + "\n").utf8))
    }

    /// Resident and peak resident memory from /proc (Linux), for the profile line.
    private static func residentMemory() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "rss n/a" }
        let lines: [Substring] = status.split(separator: "\n")
        func megabytes(_ name: String) -> String {
            guard let line = lines.first(where: { $0.hasPrefix(name + ":") }) else { return "?" }
            let parts: [Substring] = line.split(separator: " ")
            let kilobytes: Int = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            return String(kilobytes / 1024) + " MB"
        }
        return "rss " + megabytes("VmRSS") + ", peak " + megabytes("VmHWM")
    }
}

/// Values kept alive until the process exits, so tearing them down costs no time.
enum ProcessLifetime {
    nonisolated(unsafe) private static var kept: [Any] = []

    static func keep(_ values: Any...) {
        kept.append(contentsOf: values)
    }
}
