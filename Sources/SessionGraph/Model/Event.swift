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
///
/// A value type with copy-on-write storage: an event has some forty fields, most of them
/// strings, and the stages pass events around by the hundred thousand; a copy is one reference
/// count, and a change to a shared copy copies the fields first, as `Array` does.
public struct Event: Sendable {
    /// The fields, shared between copies until one of them changes.
    final class Storage: @unchecked Sendable {
        var time: UTCInstant
        var source: LogSource
        var shape: ExportShape
        var kind: EventKind
        var userId: String? = nil
        var userPrincipalName: String? = nil
        var userDisplayName: String? = nil
        var servicePrincipalId: String? = nil
        var tenantId: String? = nil
        var sessionId: String? = nil
        var sessionIdField: String? = nil
        var uniqueTokenId: CompactIdentifier? = nil
        var tokenIssuedAt: UTCInstant? = nil
        var requestId: CompactIdentifier? = nil
        var correlationId: CompactIdentifier? = nil
        var deviceId: String? = nil
        var deviceName: String? = nil
        var operatingSystem: String? = nil
        var browser: String? = nil
        var trustType: String? = nil
        var isCompliant: Bool? = nil
        var isManaged: Bool? = nil
        var ipAddress: String? = nil
        var asn: Int? = nil
        var country: String? = nil
        var city: String? = nil
        var latitude: Double? = nil
        var longitude: Double? = nil
        var userAgent: String? = nil
        var trustedLocation: Bool? = nil
        var appId: String? = nil
        var appName: String? = nil
        var resource: String? = nil
        var resourceName: String? = nil
        var interactive: Bool? = nil
        var incomingTokenType: String? = nil
        var authProtocol: String? = nil
        var originalTransferMethod: String? = nil
        var clientAppUsed: String? = nil
        var result: String? = nil
        var resultCode: String? = nil
        var workload: String? = nil
        var operation: String? = nil
        var operationDetail: String? = nil
        var parameters: [NameValue] = []
        var itemCount: Int? = nil
        var recordId: CompactIdentifier? = nil
        var provenance: Provenance
        var notes: [String] = []

        init(time: UTCInstant, source: LogSource, shape: ExportShape, kind: EventKind, provenance: Provenance) {
            self.time = time
            self.source = source
            self.shape = shape
            self.kind = kind
            self.provenance = provenance
        }

        func copy() -> Storage {
            let copy = Storage(time: time, source: source, shape: shape, kind: kind, provenance: provenance)
            copy.userId = userId
            copy.userPrincipalName = userPrincipalName
            copy.userDisplayName = userDisplayName
            copy.servicePrincipalId = servicePrincipalId
            copy.tenantId = tenantId
            copy.sessionId = sessionId
            copy.sessionIdField = sessionIdField
            copy.uniqueTokenId = uniqueTokenId
            copy.tokenIssuedAt = tokenIssuedAt
            copy.requestId = requestId
            copy.correlationId = correlationId
            copy.deviceId = deviceId
            copy.deviceName = deviceName
            copy.operatingSystem = operatingSystem
            copy.browser = browser
            copy.trustType = trustType
            copy.isCompliant = isCompliant
            copy.isManaged = isManaged
            copy.ipAddress = ipAddress
            copy.asn = asn
            copy.country = country
            copy.city = city
            copy.latitude = latitude
            copy.longitude = longitude
            copy.userAgent = userAgent
            copy.trustedLocation = trustedLocation
            copy.appId = appId
            copy.appName = appName
            copy.resource = resource
            copy.resourceName = resourceName
            copy.interactive = interactive
            copy.incomingTokenType = incomingTokenType
            copy.authProtocol = authProtocol
            copy.originalTransferMethod = originalTransferMethod
            copy.clientAppUsed = clientAppUsed
            copy.result = result
            copy.resultCode = resultCode
            copy.workload = workload
            copy.operation = operation
            copy.operationDetail = operationDetail
            copy.parameters = parameters
            copy.itemCount = itemCount
            copy.recordId = recordId
            copy.notes = notes
            return copy
        }
    }

    private var storage: Storage

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// Hands every field whose value repeats across events (users, apps, devices, addresses,
    /// user agents, operations) to `share`, which may swap it for an equal string already held,
    /// so a run keeps one copy of each. Per-event values (token and request ids) are left alone.
    mutating func shareRepeatedText(_ share: (inout String?) -> Void) {
        makeUnique()
        let s = storage
        share(&s.userId); share(&s.userPrincipalName); share(&s.userDisplayName); share(&s.servicePrincipalId)
        share(&s.tenantId); share(&s.sessionId); share(&s.sessionIdField); share(&s.deviceId); share(&s.deviceName)
        share(&s.operatingSystem); share(&s.browser); share(&s.trustType); share(&s.ipAddress); share(&s.country)
        share(&s.city); share(&s.userAgent); share(&s.appId); share(&s.appName); share(&s.resource); share(&s.resourceName)
        share(&s.incomingTokenType); share(&s.authProtocol); share(&s.originalTransferMethod); share(&s.clientAppUsed)
        share(&s.result); share(&s.resultCode); share(&s.workload); share(&s.operation)
    }

    public init(time: UTCInstant, source: LogSource, shape: ExportShape, kind: EventKind, provenance: Provenance) {
        storage = Storage(time: time, source: source, shape: shape, kind: kind, provenance: provenance)
    }

    public var time: UTCInstant {
        get { storage.time }
        set { makeUnique(); storage.time = newValue }
    }

    public var source: LogSource {
        get { storage.source }
        set { makeUnique(); storage.source = newValue }
    }

    public var shape: ExportShape {
        get { storage.shape }
        set { makeUnique(); storage.shape = newValue }
    }

    public var kind: EventKind {
        get { storage.kind }
        set { makeUnique(); storage.kind = newValue }
    }

    public var userId: String? {
        get { storage.userId }
        set { makeUnique(); storage.userId = newValue }
    }

    public var userPrincipalName: String? {
        get { storage.userPrincipalName }
        set { makeUnique(); storage.userPrincipalName = newValue }
    }

    public var userDisplayName: String? {
        get { storage.userDisplayName }
        set { makeUnique(); storage.userDisplayName = newValue }
    }

    public var servicePrincipalId: String? {
        get { storage.servicePrincipalId }
        set { makeUnique(); storage.servicePrincipalId = newValue }
    }

    public var tenantId: String? {
        get { storage.tenantId }
        set { makeUnique(); storage.tenantId = newValue }
    }

    public var sessionId: String? {
        get { storage.sessionId }
        set { makeUnique(); storage.sessionId = newValue }
    }

    /// The field that supplied the session id (e.g. `AppAccessContext.AADSessionId`).
    public var sessionIdField: String? {
        get { storage.sessionIdField }
        set { makeUnique(); storage.sessionIdField = newValue }
    }

    public var uniqueTokenId: String? {
        get { storage.uniqueTokenId?.text }
        set { makeUnique(); storage.uniqueTokenId = newValue.map(CompactIdentifier.init) }
    }

    /// The sign-in request id that the token id decodes to (schemas.md §1.1), when it decodes.
    public var requestIdFromToken: String? { requestKeyFromToken?.text }

    /// ``uniqueTokenId`` as a link key.
    var tokenKey: CompactIdentifier? { storage.uniqueTokenId }

    /// ``requestIdFromToken`` as a link key, decoded from the token id when asked (it is needed
    /// only for the actions whose token id matches no sign-in).
    var requestKeyFromToken: CompactIdentifier? { storage.uniqueTokenId?.requestIdFromToken }

    public var tokenIssuedAt: UTCInstant? {
        get { storage.tokenIssuedAt }
        set { makeUnique(); storage.tokenIssuedAt = newValue }
    }

    /// The sign-in request id of a sign-in row (`Id`), lower-cased.
    public var requestId: String? {
        get { storage.requestId?.text }
        set { makeUnique(); storage.requestId = newValue.map(CompactIdentifier.init) }
    }

    /// ``requestId`` as a link key.
    var requestKey: CompactIdentifier? {
        get { storage.requestId }
        set { makeUnique(); storage.requestId = newValue }
    }

    public var correlationId: String? {
        get { storage.correlationId?.text }
        set { makeUnique(); storage.correlationId = newValue.map(CompactIdentifier.init) }
    }

    public var deviceId: String? {
        get { storage.deviceId }
        set { makeUnique(); storage.deviceId = newValue }
    }

    public var deviceName: String? {
        get { storage.deviceName }
        set { makeUnique(); storage.deviceName = newValue }
    }

    public var operatingSystem: String? {
        get { storage.operatingSystem }
        set { makeUnique(); storage.operatingSystem = newValue }
    }

    public var browser: String? {
        get { storage.browser }
        set { makeUnique(); storage.browser = newValue }
    }

    public var trustType: String? {
        get { storage.trustType }
        set { makeUnique(); storage.trustType = newValue }
    }

    public var isCompliant: Bool? {
        get { storage.isCompliant }
        set { makeUnique(); storage.isCompliant = newValue }
    }

    public var isManaged: Bool? {
        get { storage.isManaged }
        set { makeUnique(); storage.isManaged = newValue }
    }

    public var ipAddress: String? {
        get { storage.ipAddress }
        set { makeUnique(); storage.ipAddress = newValue }
    }

    public var asn: Int? {
        get { storage.asn }
        set { makeUnique(); storage.asn = newValue }
    }

    public var country: String? {
        get { storage.country }
        set { makeUnique(); storage.country = newValue }
    }

    public var city: String? {
        get { storage.city }
        set { makeUnique(); storage.city = newValue }
    }

    public var latitude: Double? {
        get { storage.latitude }
        set { makeUnique(); storage.latitude = newValue }
    }

    public var longitude: Double? {
        get { storage.longitude }
        set { makeUnique(); storage.longitude = newValue }
    }

    public var userAgent: String? {
        get { storage.userAgent }
        set { makeUnique(); storage.userAgent = newValue }
    }

    /// Whether the sign-in came from a trusted named location (`NetworkLocationDetails`).
    public var trustedLocation: Bool? {
        get { storage.trustedLocation }
        set { makeUnique(); storage.trustedLocation = newValue }
    }

    public var appId: String? {
        get { storage.appId }
        set { makeUnique(); storage.appId = newValue }
    }

    public var appName: String? {
        get { storage.appName }
        set { makeUnique(); storage.appName = newValue }
    }

    public var resource: String? {
        get { storage.resource }
        set { makeUnique(); storage.resource = newValue }
    }

    public var resourceName: String? {
        get { storage.resourceName }
        set { makeUnique(); storage.resourceName = newValue }
    }

    public var interactive: Bool? {
        get { storage.interactive }
        set { makeUnique(); storage.interactive = newValue }
    }

    public var incomingTokenType: String? {
        get { storage.incomingTokenType }
        set { makeUnique(); storage.incomingTokenType = newValue }
    }

    public var authProtocol: String? {
        get { storage.authProtocol }
        set { makeUnique(); storage.authProtocol = newValue }
    }

    public var originalTransferMethod: String? {
        get { storage.originalTransferMethod }
        set { makeUnique(); storage.originalTransferMethod = newValue }
    }

    public var clientAppUsed: String? {
        get { storage.clientAppUsed }
        set { makeUnique(); storage.clientAppUsed = newValue }
    }

    public var result: String? {
        get { storage.result }
        set { makeUnique(); storage.result = newValue }
    }

    public var resultCode: String? {
        get { storage.resultCode }
        set { makeUnique(); storage.resultCode = newValue }
    }

    public var workload: String? {
        get { storage.workload }
        set { makeUnique(); storage.workload = newValue }
    }

    public var operation: String? {
        get { storage.operation }
        set { makeUnique(); storage.operation = newValue }
    }

    /// Operation parameters in `Name=Value` form (inbox-rule settings, Graph query).
    public var operationDetail: String? {
        get { storage.operationDetail }
        set { makeUnique(); storage.operationDetail = newValue }
    }

    /// The operation's parameters as name/value pairs (admin cmdlet `Parameters`, client rule
    /// `OperationProperties`), for the rules that read them.
    public var parameters: [NameValue] {
        get { storage.parameters }
        set { makeUnique(); storage.parameters = newValue }
    }

    /// How many items one aggregated record stands for (`MailItemsAccessed` `OperationCount`,
    /// else the items listed in its `Folders`), when it says.
    public var itemCount: Int? {
        get { storage.itemCount }
        set { makeUnique(); storage.itemCount = newValue }
    }

    public var recordId: String? {
        get { storage.recordId?.text }
        set { makeUnique(); storage.recordId = newValue.map(CompactIdentifier.init) }
    }

    /// ``recordId`` as a key (the duplicate check of the merge).
    var recordKey: CompactIdentifier? {
        get { storage.recordId }
        set { makeUnique(); storage.recordId = newValue }
    }

    public var provenance: Provenance {
        get { storage.provenance }
        set { makeUnique(); storage.provenance = newValue }
    }

    /// What the reader had to assume or could not use in this record.
    public var notes: [String] {
        get { storage.notes }
        set { makeUnique(); storage.notes = newValue }
    }
}
