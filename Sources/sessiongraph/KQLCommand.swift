import ArgumentParser
import Foundation
import SessionGraph

/// `sessiongraph kql`: KQL for the engines that hold the data (Sentinel / Log Analytics, Defender
/// XDR advanced hunting, Azure Data Explorer): `hunt` finds candidate sessions tenant-wide,
/// `collect` pulls everything about a few of them in the layout `analyze` reads.
struct KQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kql",
        abstract: "Generate KQL that hunts candidate sessions tenant-wide and collects a few of them for analyze.",
        discussion: """
            When the logs do not fit on one machine: run `kql hunt` in the engine to find candidate session ids, \
            `kql collect --session ID...` to pull every row those sessions need, export the result (JSON or CSV), \
            and run `analyze` on the export. Values are written as escaped KQL string literals and times as explicit \
            UTC datetime literals. The queries are generated, not run: nothing here talks to a workspace.
            """,
        subcommands: [KQLCollectCommand.self, KQLHuntCommand.self]
    )
}

extension KQLDialect: ExpressibleByArgument {}

/// Where generated text goes: a file (`-o`) or standard output.
private func emit(_ text: String, to output: String?) throws {
    if let output {
        try OutputFile.write(text, to: output)
    } else {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

private func warn(_ message: String) {
    FileHandle.standardError.write(Data("sessiongraph: \(message)\n".utf8))
}

/// The current time, to the second.
private func now() -> UTCInstant {
    UTCInstant(seconds: Int64(Date().timeIntervalSince1970))
}

/// A time given on the command line, in the range a datetime literal can hold.
private func parseTime(_ value: String, _ name: String) throws -> UTCInstant {
    guard let instant = CommandLineTime.parse(value) else {
        throw ValidationError("\(name) '\(value)' is not a time (expected ISO 8601 such as 2026-03-02T08:00:00Z; UTC unless a zone is given)")
    }
    guard instant >= UTCInstant(seconds: 0), instant < UTCInstant(seconds: 253_402_300_800) else {
        throw ValidationError("\(name) '\(value)' is outside 1970..9999")
    }
    return instant
}

struct KQLCollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "The KQL that pulls every row the offline analysis needs for some sessions, tokens or users.",
        discussion: """
            Reads SigninLogs, AADNonInteractiveUserSignInLogs, AADServicePrincipalSignInLogs, AADManagedIdentitySignInLogs, \
            MicrosoftGraphActivityLogs, CloudAppEvents and OfficeActivity (defender: EntraIdSignInEvents, GraphApiAuditEvents, \
            CloudAppEvents). Session ids and users match case-insensitively, token ids exactly. The sentinel and adx results, \
            exported as JSON or CSV, go straight into `sessiongraph analyze`; the defender result is for the portal.
            """
    )

    @Option(name: .customLong("session"), help: ArgumentHelp("A session id (SessionId); repeat for more.", valueName: "SID"))
    var sessions: [String] = []

    @Option(name: .customLong("token"), help: ArgumentHelp("A unique token identifier (UniqueTokenIdentifier); repeat for more.", valueName: "UTI"))
    var tokens: [String] = []

    @Option(name: .customLong("user"), help: ArgumentHelp("A user principal name; repeat for more.", valueName: "UPN"))
    var users: [String] = []

    @Option(name: .long, help: "Start of the window (ISO 8601, UTC unless a zone is given). Default: 30 days before --to.")
    var from: String?

    @Option(name: .long, help: "End of the window (ISO 8601, UTC unless a zone is given). Default: now.")
    var to: String?

    @Option(name: .long, help: "sentinel, defender or adx.")
    var dialect: KQLDialect = .sentinel

    @Option(name: .shortAndLong, help: "Write the query to this file instead of standard output.")
    var output: String?

    func validate() throws {
        if sessions.isEmpty && tokens.isEmpty && users.isEmpty {
            throw ValidationError("give at least one --session, --token or --user")
        }
        for (name, values) in [("--session", sessions), ("--token", tokens), ("--user", users)] where values.contains(where: KQLString.isBlank) {
            throw ValidationError("\(name) may not be empty or blank (it would match every row without one)")
        }
        let (start, end) = try window()
        guard start < end else { throw ValidationError("--from must be before --to") }
    }

    func window() throws -> (UTCInstant, UTCInstant) {
        let end = try to.map { try parseTime($0, "--to") } ?? now()
        let start = try from.map { try parseTime($0, "--from") } ?? end.adding(seconds: -30 * 86_400)
        return (start, end)
    }

    func run() throws {
        let (start, end) = try window()
        for value in sessions + tokens + users where KQLString.dropsCharacters(value) {
            warn("a value holds control characters; they were left out of the query: \(TerminalText.safe(value, limit: 80))")
        }
        let query = KQLCollect(sessions: sessions, tokens: tokens, users: users, from: start, to: end, dialect: dialect).query()
        try emit(query, to: output)
    }
}

struct KQLHuntCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hunt",
        abstract: "Tenant-wide KQL that returns candidate session ids for the rules KQL can express.",
        discussion: """
            Rules: \(KQLHunt.catalogue.map(\.id).joined(separator: ", ")) (default: all the dialect can express). \
            Each query starts with a comment header (rule, reason, parameters, the collect command to run next) and \
            each result row carries its CollectCommand. Queries are separated by a blank line, which the Log Analytics \
            and ADX editors treat as the boundary between queries.
            """
    )

    @Option(name: .customLong("rule"), help: ArgumentHelp("A hunt to generate; repeat for more.", valueName: "ID"))
    var rules: [String] = []

    @Option(name: .long, help: "sentinel, defender or adx.")
    var dialect: KQLDialect = .sentinel

    @Option(name: .long, help: "How far back from --to: e.g. 7d, 36h, 90m.")
    var lookback: String = "7d"

    @Option(name: .long, help: "End of the window (ISO 8601, UTC unless a zone is given). Default: now.")
    var to: String?

    @Option(name: .shortAndLong, help: "Write the queries to this file instead of standard output.")
    var output: String?

    func validate() throws {
        guard KQLHunt.lookbackSeconds(lookback) != nil else {
            throw ValidationError("--lookback '\(lookback)' is not a duration (expected a number and d, h, m or s, e.g. 7d; at most ten years)")
        }
        let hunt = try hunt()
        do {
            _ = try hunt.queries()
        } catch {
            throw ValidationError(error.description)
        }
    }

    func hunt() throws -> KQLHunt {
        let end = try to.map { try parseTime($0, "--to") } ?? now()
        let start = end.adding(seconds: -Double(KQLHunt.lookbackSeconds(lookback) ?? 0))
        return KQLHunt(rules: rules, dialect: dialect, from: start, to: end)
    }

    func run() throws {
        let hunt = try hunt()
        let queries: [(rule: String, query: String)]
        do {
            queries = try hunt.queries()
        } catch {
            throw ValidationError(error.description)
        }
        if rules.isEmpty {
            for rule in KQLHunt.catalogue where dialect == .defender && rule.notInDefender != nil {
                warn("no \(dialect.rawValue) hunt for \(rule.id): \(rule.notInDefender ?? "")")
            }
        }
        try emit(queries.map(\.query).joined(separator: "\n"), to: output)
    }
}
