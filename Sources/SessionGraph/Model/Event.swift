/// The log source (table or category) an event came from. Raw values are the Log Analytics
/// table names analysts know; they are part of the output contract.
public enum LogSource: String, Sendable, Codable, CaseIterable, Comparable {
    case signInLogs = "SigninLogs"
    case nonInteractiveSignInLogs = "AADNonInteractiveUserSignInLogs"
    case servicePrincipalSignInLogs = "AADServicePrincipalSignInLogs"
    case managedIdentitySignInLogs = "AADManagedIdentitySignInLogs"
    case graphActivityLogs = "MicrosoftGraphActivityLogs"
    case cloudAppEvents = "CloudAppEvents"
    case unifiedAuditLog = "UnifiedAuditLog"
    case officeActivity = "OfficeActivity"

    /// Whether rows of this source are Entra sign-ins (they mint tokens).
    public var isSignIn: Bool {
        switch self {
        case .signInLogs, .nonInteractiveSignInLogs, .servicePrincipalSignInLogs, .managedIdentitySignInLogs: return true
        default: return false
        }
    }

    public static func < (lhs: LogSource, rhs: LogSource) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// How the records were exported. Raw values are part of the output contract.
public enum ExportShape: String, Sendable, Codable, CaseIterable, Comparable {
    /// Log Analytics / Sentinel query result saved as a JSON array (PascalCase columns).
    case logAnalyticsJSON = "log-analytics-json"
    /// Log Analytics rows, one JSON object per line.
    case logAnalyticsNDJSON = "log-analytics-ndjson"
    /// Log Analytics portal "Export to CSV".
    case logAnalyticsCSV = "log-analytics-csv"
    /// Azure Monitor diagnostic-settings records (Event Hub / storage `PT1H.json`).
    case diagnosticSettings = "diagnostic-settings"
    /// Microsoft Graph `auditLogs/signIns` page (`{"@odata.context", "value": [...]}`).
    case graphAPIPage = "graph-api-page"
    /// Microsoft Graph sign-in objects as a bare array or one per line (PowerShell exporters).
    case graphAPIArray = "graph-api-array"
    /// Defender XDR streaming-API record (`category: AdvancedHunting-CloudAppEvents`).
    case defenderStreaming = "defender-streaming"
    /// Defender advanced-hunting export as JSON.
    case advancedHuntingJSON = "advanced-hunting-json"
    /// Defender advanced-hunting export as CSV.
    case advancedHuntingCSV = "advanced-hunting-csv"
    /// Purview audit search export CSV (`RecordId, CreationDate, RecordType, Operation, UserId, AuditData`).
    case purviewCSV = "purview-csv"
    /// Office 365 Management Activity API AuditData objects (JSON array or one per line).
    case managementAPI = "management-api-json"

    public static func < (lhs: ExportShape, rhs: ExportShape) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One `{Name, Value}` parameter of an audited operation.
public struct NameValue: Sendable, Hashable {
    public var name: String
    public var value: String
}

/// Where an event came from: enough to open the file at the record.
public struct Provenance: Sendable, Hashable {
    /// Index of the input file in the run (into ``IngestResult/files``).
    public var fileIndex: Int32
    /// 1-based line where the record starts.
    public var line: Int32
    /// 1-based index of the record in its file.
    public var record: Int32
}

/// What an event is in the session chain.
public enum EventKind: String, Sendable, Codable {
    /// An Entra sign-in: it mints tokens (sign-in logs, and UAL STS logons).
    case signIn
    /// A workload action done with a token (Graph request, audit record, CloudAppEvents row).
    case action
}

/// One normalised log record: the unit everything after ingest works on.
///
/// Field names (and their JSON spelling) are a stable, documented contract. Identifiers are
/// normalised as schemas.md §1 requires: session ids lower-cased, token ids kept exact.
public struct Event: Sendable {
    public var time: UTCInstant
    public var source: LogSource
    public var shape: ExportShape
    public var kind: EventKind

    // Identity
    public var userId: String?
    public var userPrincipalName: String?
    public var userDisplayName: String?
    public var servicePrincipalId: String?
    public var tenantId: String?

    // Linkable identifiers
    public var sessionId: String?
    /// The field that supplied the session id (e.g. `AppAccessContext.AADSessionId`).
    public var sessionIdField: String?
    public var uniqueTokenId: String?
    /// The sign-in request id that the token id decodes to (schemas.md §1.1), when it decodes.
    public var requestIdFromToken: String?
    public var tokenIssuedAt: UTCInstant?
    /// The sign-in request id of a sign-in row (`Id`), lower-cased.
    public var requestId: String?
    public var correlationId: String?

    // Device and network
    public var deviceId: String?
    public var deviceName: String?
    public var operatingSystem: String?
    public var browser: String?
    public var trustType: String?
    public var isCompliant: Bool?
    public var isManaged: Bool?
    public var ipAddress: String?
    public var asn: Int?
    public var country: String?
    public var city: String?
    public var latitude: Double?
    public var longitude: Double?
    public var userAgent: String?

    // Application and authentication
    public var appId: String?
    public var appName: String?
    public var resource: String?
    public var resourceName: String?
    public var interactive: Bool?
    public var incomingTokenType: String?
    public var authProtocol: String?
    public var originalTransferMethod: String?
    public var clientAppUsed: String?
    public var result: String?
    public var resultCode: String?

    // Action
    public var workload: String?
    public var operation: String?
    /// Operation parameters in `Name=Value` form (inbox-rule settings, Graph query).
    public var operationDetail: String?
    /// The operation's parameters as name/value pairs (admin cmdlet `Parameters`, client rule
    /// `OperationProperties`), for the rules that read them.
    public var parameters: [NameValue] = []
    /// How many items one aggregated record stands for (`MailItemsAccessed` `OperationCount`,
    /// else the items listed in its `Folders`), when it says.
    public var itemCount: Int?
    public var recordId: String?

    // Provenance
    public var provenance: Provenance
    /// What the reader had to assume or could not use in this record.
    public var notes: [String]

    public init(time: UTCInstant, source: LogSource, shape: ExportShape, kind: EventKind, provenance: Provenance) {
        self.time = time
        self.source = source
        self.shape = shape
        self.kind = kind
        self.provenance = provenance
        self.notes = []
    }
}
