import ArgumentParser
import Foundation
import SessionGraphSimulator

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Generate a synthetic tenant's exports, with planted attacks and their ground truth.",
        discussion: """
            Deterministic: the same --seed (and sizes) gives the same bytes. --layout ndjson writes the four \
            NDJSON files the peer scripts read (signins, graph, cloudapp, ual); --layout mixed spreads the same \
            kinds of events over Log Analytics JSON, diagnostic-settings PT1H.json, Graph API pages (gzip), a \
            Defender CSV and a Purview CSV. The incidents and their expected detections go to truth.json.
            """
    )

    @Option(name: .long, help: "Number of users.")
    var users: Int = 50

    @Option(name: .long, help: "Number of days.")
    var days: Int = 1

    @Option(name: .long, help: "Seed of the generator.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Output folder (created if missing).")
    var out: String

    @Option(name: .long, help: "Layout: ndjson or mixed.")
    var layout: String = "ndjson"

    @Option(name: .long, help: "First day (UTC), YYYY-MM-DD.")
    var start: String = "2026-03-02"

    @Option(name: .long, help: "Write the ground truth here instead of <out>/truth.json.")
    var truth: String?

    @Flag(name: .long, help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        guard SimulatorLayout(rawValue: layout) != nil else { throw ValidationError("--layout must be ndjson or mixed") }
        guard users >= 1 else { throw ValidationError("--users must be at least 1") }
        guard (1...366).contains(days) else { throw ValidationError("--days must be between 1 and 366") }
        guard Simulator.isValidStartDate(start) else { throw ValidationError("--start '\(start)' is not a date (expected YYYY-MM-DD)") }
    }

    func run() throws {
        let config = SimulatorConfiguration(users: users, days: days, seed: seed, layout: SimulatorLayout(rawValue: layout)!,
                                            startDate: start, outputDirectory: out, truthPath: truth)
        let summary: SimulationSummary
        do {
            summary = try Simulator.run(config)
        } catch let error as SimulatorError {
            if case .invalidArgument(let message) = error { throw ValidationError(message) }
            FileHandle.standardError.write(Data("sessiongraph: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
        guard !quiet else { return }
        var text = "\(summary.files.count) files, \(summary.bytes) bytes in \(out): "
        text += "\(summary.signIns) sign-ins (\(summary.interactive) interactive, \(summary.nonInteractive) non-interactive, \(summary.servicePrincipal) service principal), "
        text += "\(summary.graph) Graph requests, \(summary.cloudApp) CloudAppEvents, \(summary.audit) audit records"
        text += summary.redelivered > 0 ? ", plus \(summary.redelivered) diagnostic-settings re-deliveries\n" : "\n"
        for incident in summary.incidents {
            text += "incident \(incident.scenario): \(incident.user) session \(incident.sessionId) from \(incident.attackerIPs.joined(separator: ", ")) [\(incident.families.joined(separator: ", "))]\n"
        }
        text += "ground truth: \(summary.truthPath)\n"
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
