import ArgumentParser

@main
struct SessionGraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessiongraph",
        abstract: "Link exported Entra ID sign-in, Graph activity and audit logs into one graph per session.",
        discussion: """
            Point it at the exports you were handed (files or folders, any mix of Log Analytics JSON/CSV, \
            diagnostic-settings PT1H.json, Graph API pages, Defender and Purview exports, gzip or not). \
            Every record is counted as used, duplicate or rejected, with the reason. Times are UTC.

            Exit codes: 0 success; 1 the run failed (output not writable, Graphviz error); \
            2 no input could be found or read, or the session/token asked for is not in the data; \
            3 a finding reached --fail-on; 4 --strict and a record or file was rejected; \
            64 invalid arguments or configuration; 130 interrupted (Ctrl-C).
            """,
        version: "0.1.0",
        subcommands: [AnalyzeCommand.self, SessionsCommand.self, SessionCommand.self, TokenCommand.self, EventsCommand.self, KQLCommand.self, SimulateCommand.self]
    )
}
