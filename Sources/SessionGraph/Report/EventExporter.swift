import Foundation

/// Writes the normalised event stream as JSON Lines or CSV. The column names and their order
/// are a stable contract (documented in the README); JSONL adds Timesketch's `datetime`,
/// `timestamp_desc` and `message`.
public enum EventExporter {
    public enum Format: String, Sendable, CaseIterable {
        case jsonl
        case csv
    }

    enum Value {
        case text(String?)
        case int(Int?)
        case double(Double?)
        case bool(Bool?)
        case list([String])
    }

    /// Every exported field, in order.
    static let fields: [(name: String, value: @Sendable (Event, [String]) -> Value)] = [
        ("time", { e, _ in .text(e.time.iso8601) }),
        ("source", { e, _ in .text(e.source.rawValue) }),
        ("shape", { e, _ in .text(e.shape.rawValue) }),
        ("kind", { e, _ in .text(e.kind.rawValue) }),
        ("userId", { e, _ in .text(e.userId) }),
        ("userPrincipalName", { e, _ in .text(e.userPrincipalName) }),
        ("userDisplayName", { e, _ in .text(e.userDisplayName) }),
        ("servicePrincipalId", { e, _ in .text(e.servicePrincipalId) }),
        ("tenantId", { e, _ in .text(e.tenantId) }),
        ("sessionId", { e, _ in .text(e.sessionId) }),
        ("sessionIdField", { e, _ in .text(e.sessionIdField) }),
        ("uniqueTokenId", { e, _ in .text(e.uniqueTokenId) }),
        ("requestIdFromToken", { e, _ in .text(e.requestIdFromToken) }),
        ("requestId", { e, _ in .text(e.requestId) }),
        ("tokenIssuedAt", { e, _ in .text(e.tokenIssuedAt?.iso8601) }),
        ("correlationId", { e, _ in .text(e.correlationId) }),
        ("deviceId", { e, _ in .text(e.deviceId) }),
        ("deviceName", { e, _ in .text(e.deviceName) }),
        ("operatingSystem", { e, _ in .text(e.operatingSystem) }),
        ("browser", { e, _ in .text(e.browser) }),
        ("trustType", { e, _ in .text(e.trustType) }),
        ("isCompliant", { e, _ in .bool(e.isCompliant) }),
        ("isManaged", { e, _ in .bool(e.isManaged) }),
        ("ipAddress", { e, _ in .text(e.ipAddress) }),
        ("asn", { e, _ in .int(e.asn) }),
        ("country", { e, _ in .text(e.country) }),
        ("city", { e, _ in .text(e.city) }),
        ("latitude", { e, _ in .double(e.latitude) }),
        ("longitude", { e, _ in .double(e.longitude) }),
        ("userAgent", { e, _ in .text(e.userAgent) }),
        ("trustedLocation", { e, _ in .bool(e.trustedLocation) }),
        ("appId", { e, _ in .text(e.appId) }),
        ("appName", { e, _ in .text(e.appName) }),
        ("resource", { e, _ in .text(e.resource) }),
        ("resourceName", { e, _ in .text(e.resourceName) }),
        ("interactive", { e, _ in .bool(e.interactive) }),
        ("incomingTokenType", { e, _ in .text(e.incomingTokenType) }),
        ("authProtocol", { e, _ in .text(e.authProtocol) }),
        ("originalTransferMethod", { e, _ in .text(e.originalTransferMethod) }),
        ("clientAppUsed", { e, _ in .text(e.clientAppUsed) }),
        ("result", { e, _ in .text(e.result) }),
        ("resultCode", { e, _ in .text(e.resultCode) }),
        ("workload", { e, _ in .text(e.workload) }),
        ("operation", { e, _ in .text(e.operation) }),
        ("operationDetail", { e, _ in .text(e.operationDetail) }),
        ("itemCount", { e, _ in .int(e.itemCount) }),
        ("recordId", { e, _ in .text(e.recordId) }),
        ("file", { e, files in .text(files.indices.contains(Int(e.provenance.fileIndex)) ? files[Int(e.provenance.fileIndex)] : nil) }),
        ("line", { e, _ in .int(Int(e.provenance.line)) }),
        ("record", { e, _ in .int(Int(e.provenance.record)) }),
        ("notes", { e, _ in .list(e.notes) }),
    ]

    /// The names of the exported fields, in order (the CSV header).
    public static var fieldNames: [String] { fields.map(\.name) }

    /// One event as a JSON object on one line.
    public static func jsonLine(_ event: Event, files: [String]) -> String {
        var writer = JSONObjectWriter()
        for field in fields {
            switch field.value(event, files) {
            case .text(let v): writer.string(field.name, v)
            case .int(let v): writer.int(field.name, v)
            case .double(let v): writer.double(field.name, v)
            case .bool(let v): writer.bool(field.name, v)
            case .list(let v): writer.strings(field.name, v)
            }
        }
        writer.string("datetime", event.time.iso8601)
        writer.string("timestamp_desc", timestampDescription(event))
        writer.string("message", event.summaryLine)
        return writer.finish()
    }

    /// One event as a CSV row (RFC 4180 quoting; cells that a spreadsheet would run as a
    /// formula are prefixed with `'`).
    public static func csvRow(_ event: Event, files: [String]) -> String {
        fields.map { field -> String in
            let text: String
            switch field.value(event, files) {
            case .text(let v): text = v ?? ""
            case .int(let v): text = v.map(String.init) ?? ""
            case .double(let v): text = v.map { String($0) } ?? ""
            case .bool(let v): text = v.map { $0 ? "true" : "false" } ?? ""
            case .list(let v): text = v.joined(separator: " | ")
            }
            return csvCell(text)
        }.joined(separator: ",")
    }

    public static var csvHeader: String { fieldNames.joined(separator: ",") }

    /// Quotes per RFC 4180, scalar by scalar (a quote followed by a combining mark is still a
    /// quote), and neutralises formula prefixes.
    static func csvCell(_ raw: String) -> String {
        var value = raw
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first),
           !(first == "-" && value.unicodeScalars.dropFirst().allSatisfy { ("0"..."9").contains($0) || $0 == "." }) {
            value = "'" + value
        }
        guard value.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        var quoted = "\""
        for scalar in value.unicodeScalars {
            if scalar == "\"" { quoted += "\"\"" } else { quoted.unicodeScalars.append(scalar) }
        }
        return quoted + "\""
    }

    /// The event's one-line summary, now ``Event/summaryLine`` (in Model, below the detect stage
    /// that writes it into every finding's evidence).
    @available(*, deprecated, renamed: "Event.summaryLine")
    public static func message(_ event: Event) -> String { event.summaryLine }

    static func timestampDescription(_ event: Event) -> String {
        switch event.kind {
        case .signIn: return event.source == .unifiedAuditLog ? "STS logon time" : "Sign-in time"
        case .action: return "Activity time"
        }
    }
}
