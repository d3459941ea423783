import Foundation

/// Prints instants in UTC with the zone shown, and optionally in a second zone as well
/// (`--tz Europe/Zurich`): `2023-09-26T01:52:34Z (03:52:34 CEST)`.
public struct TimeDisplay: Sendable {
    let zone: TimeZone?

    /// `zoneIdentifier` is an IANA name (`Europe/Zurich`) or nil for UTC only.
    public init(zoneIdentifier: String? = nil) throws {
        if let zoneIdentifier {
            guard let zone = TimeZone(identifier: zoneIdentifier) else {
                throw TimeDisplayError.unknownZone(zoneIdentifier)
            }
            self.zone = zone
        } else {
            self.zone = nil
        }
    }

    public func format(_ instant: UTCInstant) -> String {
        guard let zone else { return instant.iso8601 }
        let date = Date(timeIntervalSince1970: Double(instant.microseconds) / 1_000_000)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss zzz"
        return "\(instant.iso8601) (\(formatter.string(from: date)))"
    }
}

public enum TimeDisplayError: Error, CustomStringConvertible {
    case unknownZone(String)

    public var description: String {
        switch self {
        case .unknownZone(let name): return "unknown time zone '\(name)' (expected an IANA name such as Europe/Zurich)"
        }
    }
}

/// Parses a time given on the command line: ISO 8601 (zone optional, read as UTC) or a date.
public enum CommandLineTime {
    public static func parse(_ text: String) -> UTCInstant? {
        if case .success(let parsed) = TimestampParser.parse(text) { return parsed.instant }
        return nil
    }
}
