import ArgumentParser
import SessionGraph

/// Filters and time display shared by the query commands.
struct QueryOptions: ParsableArguments {
    @Option(name: .long, help: "Only sessions of this user (UPN or object id).")
    var user: String?

    @Option(name: .long, help: "Only sessions that used this Entra device id.")
    var device: String?

    @Option(name: .long, help: "Only sessions active at or after this time (ISO 8601; UTC unless a zone is given).")
    var from: String?

    @Option(name: .long, help: "Only sessions active at or before this time (ISO 8601; UTC unless a zone is given).")
    var to: String?

    @Option(name: .long, help: "Also show times in this IANA time zone (e.g. Europe/Zurich). Times are always shown in UTC.")
    var tz: String?

    func validate() throws {
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, CommandLineTime.parse(value) == nil {
                throw ValidationError("\(name) '\(value)' is not a time (expected e.g. 2026-03-02T08:00:00Z)")
            }
        }
        if let tz { _ = try timeDisplay(tz) }
    }

    func filter(aliveAt: String? = nil) -> SessionFilter {
        SessionFilter(user: user, device: device, from: from.flatMap(CommandLineTime.parse), to: to.flatMap(CommandLineTime.parse), aliveAt: aliveAt.flatMap(CommandLineTime.parse))
    }

    func display() throws -> TimeDisplay { try timeDisplay(tz) }

    private func timeDisplay(_ zone: String?) throws -> TimeDisplay {
        do {
            return try TimeDisplay(zoneIdentifier: zone)
        } catch {
            throw ValidationError(String(describing: error))
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}
