import ArgumentParser
import Foundation
import SessionGraph
import SessionGraphRenderer

enum SessionFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, dot, svg, png, pdf
}

extension DiagramView: ExpressibleByArgument {}

struct SessionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Show the whole chain of one session: root, every sign-in, token and action, by branch, in time order.")

    @Argument(help: "The session id (case-insensitive).")
    var sessionId: String

    @OptionGroup var input: InputOptions
    @OptionGroup var query: QueryOptions

    @Option(name: .long, help: "Output format: text, json, dot, svg, png or pdf.")
    var format: SessionFormat = .text

    @Option(name: .long, help: "Diagram view: full (every branch) or suspicious (anomalous branches, their ancestry and descendants).")
    var view: DiagramView = .full

    @Option(name: .customLong("node-budget"), help: "Most items drawn in a diagram; above it the diagram collapses further.")
    var nodeBudget = 300

    @Option(name: .long, help: "Site configuration for the detections shown on diagrams (JSON, see README).")
    var config: String?

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output (required for png and pdf).")
    var output: String?

    func validate() throws {
        if (format == .png || format == .pdf) && output == nil { throw ValidationError("--format \(format.rawValue) needs -o FILE") }
    }

    func run() async throws {
        let graph = GraphBuilder.build(try input.ingest())
        let filter = query.filter()
        // Only the chains of this id are checked against the filter, not every session.
        let chains = graph.sessions(withId: sessionId).filter { graph.matches($0, filter) }
        guard !chains.isEmpty else {
            printError("session \(TerminalText.safe(sessionId)) is not in the data\(query.user != nil || query.device != nil || query.from != nil || query.to != nil ? " (with these filters)" : "")")
            throw ExitCode(2)
        }
        switch format {
        case .json:
            try emit(SessionReport.detailDocument(chains, in: graph), to: output)
        case .text:
            let renderer = SessionTextRenderer(graph: graph, time: try query.display())
            try emit(Data((chains.map(renderer.render).joined(separator: "\n\n") + "\n").utf8), to: output)
        case .dot, .svg, .png, .pdf:
            let settings = try config.map(DetectionConfig.load) ?? DetectionConfig()
            let findings = Detector.run(graph, config: settings)
            let dot = SessionDiagram(view: view, nodeBudget: nodeBudget).dot(chains[0], in: graph, findings: findings)
            if chains.count > 1 { printError("session id \(TerminalText.safe(chains[0].sessionId)) is used by \(chains.count) users; drawing the first (\(TerminalText.safe(chains[0].userPrincipalName ?? chains[0].user ?? "?", limit: 120))); --user draws another's") }
            if format == .dot {
                try emit(Data(dot.utf8), to: output)
                return
            }
            do {
                let bytes = try await DiagramWriter.render(dot, format: RenderFormat(rawValue: format.rawValue)!)
                try emit(Data(bytes), to: output)
            } catch let error as GraphvizError {
                printError(error.description)
                throw ExitCode(1)
            }
        }
    }
}

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Show everything done with one access token, and the sign-in and session that minted it.")

    @Argument(help: "The unique token identifier (exact, case-sensitive).")
    var uniqueTokenId: String

    @OptionGroup var input: InputOptions
    @OptionGroup var query: QueryOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let graph = GraphBuilder.build(try input.ingest())
        let trace = graph.trace(token: uniqueTokenId)
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            struct Document: Encodable {
                var schemaVersion = 1
                var token: String
                var requestId: String?
                var sessionId: String?
                var events: [String]
            }
            let files = graph.files
            let document = Document(token: trace.token, requestId: trace.requestId, sessionId: trace.session?.sessionId,
                                    events: trace.events.map { EventExporter.jsonLine(graph.events[Int($0)], files: files) })
            // Events are embedded as their JSONL text so the fields match `events` exactly.
            try emit(try encoder.encode(document), to: nil)
        case .text:
            print(SessionTextRenderer(graph: graph, time: try query.display()).render(trace))
        }
        if trace.events.isEmpty { throw ExitCode(2) }
    }
}

struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List the sessions alive for a user or device: start, end, root present or absent, counts, networks and devices.")

    @OptionGroup var input: InputOptions
    @OptionGroup var query: QueryOptions

    @Option(name: .long, help: "Only sessions alive at this time (from root or first event to last event).")
    var at: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        if let at, CommandLineTime.parse(at) == nil { throw ValidationError("--at '\(at)' is not a time (expected e.g. 2026-03-02T08:00:00Z)") }
    }

    func run() throws {
        let graph = GraphBuilder.build(try input.ingest())
        let sessions = graph.sessions(matching: query.filter(aliveAt: at))
        switch format {
        case .json: try emit(SessionReport.sessionsDocument(sessions, in: graph), to: nil)
        case .text: print(SessionTextRenderer(graph: graph, time: try query.display()).renderList(sessions))
        }
    }
}

func emit(_ data: Data, to path: String?) throws {
    if let path {
        try OutputFile.write(data, to: path)
    } else {
        FileHandle.standardOutput.write(data)
        if data.last != 0x0A { FileHandle.standardOutput.write(Data("\n".utf8)) }
    }
}
