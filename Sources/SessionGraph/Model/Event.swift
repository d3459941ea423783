import CMemoryHints

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

    /// The case's place in the declaration.
    private var ordinal: Int {
        switch self {
        case .signInLogs: return 0
        case .nonInteractiveSignInLogs: return 1
        case .servicePrincipalSignInLogs: return 2
        case .managedIdentitySignInLogs: return 3
        case .graphActivityLogs: return 4
        case .cloudAppEvents: return 5
        case .unifiedAuditLog: return 6
        case .officeActivity: return 7
        }
    }

    public static func < (lhs: LogSource, rhs: LogSource) -> Bool { lhs.ordinal < rhs.ordinal }

    /// Hashed by its case: a raw-valued enum otherwise hashes its raw text, and every record's
    /// duplicate key holds its source.
    public func hash(into hasher: inout Hasher) { hasher.combine(ordinal) }
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
///
/// Compact: the repeated text fields are 4-byte ``TextVocabulary`` codes, the per-record ids
/// are ``CompactIdentifier``s, optional numbers are a value and a bit, and the fields few
/// records have live in a side object made only for them, so the storage object takes 252
/// bytes, jemalloc's 256-byte class (strings made it 712 bytes; codes alone 352, in its 384-byte
/// class).
public struct Event: Sendable {
    /// Which of the storage's optional numbers hold a value, and whether the request id is the
    /// record id (as it is for every sign-in): one byte instead of an optional's padding each.
    struct StoredFields: OptionSet, Sendable {
        let rawValue: UInt8
        static let asn = StoredFields(rawValue: 1)
        static let tokenIssuedAt = StoredFields(rawValue: 2)
        static let latitude = StoredFields(rawValue: 4)
        static let longitude = StoredFields(rawValue: 8)
        static let requestIsRecord = StoredFields(rawValue: 16)

        /// Sets or clears `field`.
        mutating func mark(_ field: StoredFields, _ present: Bool) {
            if present { insert(field) } else { remove(field) }
        }
    }

    /// The fields few records have: audit parameters and item counts, reader notes, and a
    /// request id that is not the record id (never, from the readers; only when set).
    ///
    /// Owned by one ``Storage``, which copies it with itself, and changed only through an event
    /// whose storage is not shared (as the storage is): so it is never shared between threads.
    final class RareFields {
        var requestId: CompactIdentifier? = nil
        var parameters: [NameValue] = []
        var itemCount: Int? = nil
        var notes: [String] = []

        func copy() -> RareFields {
            let copy = RareFields()
            copy.requestId = requestId
            copy.parameters = parameters
            copy.itemCount = itemCount
            copy.notes = notes
            return copy
        }
    }

    /// The fields, shared between copies until one of them changes. Text fields hold
    /// vocabulary codes; the accessors below turn them into strings.
    final class Storage: @unchecked Sendable {
        // Laid out in the order they are declared, packed by hand: each 17-byte identifier is
        // followed by one-byte fields and a code, which fill the 7 bytes it leaves before the
        // next 8-byte boundary. The fields the whole-run passes read of every event (the token
        // and context indexes, placing events in sessions, the merge, the run-wide rules) come
        // first, in the 112 bytes that share two cache lines with the object's header (jemalloc,
        // which the command links, starts each object of its 256-byte class on a 64-byte line).
        // ``provenance`` is declared last (``objectBytes`` measures to its end).
        var time: UTCInstant
        /// ``Event/asn`` when ``stored`` has `.asn`.
        var asnValue: Int = 0
        var uniqueTokenId: CompactIdentifier? = nil
        var source: LogSource
        var shape: ExportShape
        var kind: EventKind
        var userId: UInt32 = TextVocabulary.none
        /// Written through ``setRecordId(_:)`` once ``stored`` may say the request id is this
        /// one (written directly, it would change the request id too).
        var recordId: CompactIdentifier? = nil
        var interactive: Bool? = nil
        var stored: StoredFields = []
        var trustedLocation: Bool? = nil
        var userPrincipalName: UInt32 = TextVocabulary.none
        var sessionId: UInt32 = TextVocabulary.none
        var ipAddress: UInt32 = TextVocabulary.none
        var userAgent: UInt32 = TextVocabulary.none
        var country: UInt32 = TextVocabulary.none
        var servicePrincipalId: UInt32 = TextVocabulary.none
        var appId: UInt32 = TextVocabulary.none
        var result: UInt32 = TextVocabulary.none
        var operation: UInt32 = TextVocabulary.none
        var deviceId: UInt32 = TextVocabulary.none
        var incomingTokenType: UInt32 = TextVocabulary.none
        /// ``Event/tokenIssuedAt`` when ``stored`` has `.tokenIssuedAt`.
        var tokenIssuedAtValue = UTCInstant(microseconds: 0)
        var correlationId: CompactIdentifier? = nil
        var isCompliant: Bool? = nil
        var isManaged: Bool? = nil
        var userDisplayName: UInt32 = TextVocabulary.none
        var tenantId: UInt32 = TextVocabulary.none
        var sessionIdField: UInt32 = TextVocabulary.none
        var deviceName: UInt32 = TextVocabulary.none
        var operatingSystem: UInt32 = TextVocabulary.none
        var browser: UInt32 = TextVocabulary.none
        var trustType: UInt32 = TextVocabulary.none
        var city: UInt32 = TextVocabulary.none
        var appName: UInt32 = TextVocabulary.none
        var resource: UInt32 = TextVocabulary.none
        var resourceName: UInt32 = TextVocabulary.none
        var authProtocol: UInt32 = TextVocabulary.none
        var originalTransferMethod: UInt32 = TextVocabulary.none
        var clientAppUsed: UInt32 = TextVocabulary.none
        var resultCode: UInt32 = TextVocabulary.none
        var workload: UInt32 = TextVocabulary.none
        /// A Graph request's scopes and roles repeat across an app's requests: a code, not a
        /// string of its own on every request. Audit parameter summaries and CloudAppEvents
        /// object names are mostly distinct; they are held once in the vocabulary all the same.
        var operationDetail: UInt32 = TextVocabulary.none
        /// ``Event/latitude`` and ``Event/longitude`` when ``stored`` has them.
        var latitudeValue: Double = 0
        var longitudeValue: Double = 0
        var rare: RareFields? = nil
        var provenance: Provenance

        init(time: UTCInstant, source: LogSource, shape: ExportShape, kind: EventKind, provenance: Provenance) {
            self.time = time
            self.source = source
            self.shape = shape
            self.kind = kind
            self.provenance = provenance
        }

        /// How many bytes of the object its fields reach, header included (checked by a test
        /// against the allocator's 256-byte class).
        static var objectBytes: Int {
            let storage = Storage(time: UTCInstant(microseconds: 0), source: .signInLogs, shape: .logAnalyticsNDJSON, kind: .action,
                                  provenance: Provenance(fileIndex: 0, line: 0, record: 0))
            let start = UInt(bitPattern: Unmanaged.passUnretained(storage).toOpaque())
            let end = withUnsafeMutablePointer(to: &storage.provenance) { UInt(bitPattern: $0 + 1) }
            return withExtendedLifetime(storage) { Int(end - start) }
        }

        /// ``rare``, made when there is none yet.
        var rareForWriting: RareFields {
            if let rare { return rare }
            let made = RareFields()
            rare = made
            return made
        }

        /// The request id: the record id's value when ``stored`` says so, else the rare one.
        var requestId: CompactIdentifier? {
            get { stored.contains(.requestIsRecord) ? recordId : rare?.requestId }
            set {
                if let newValue, newValue == recordId {
                    stored.insert(.requestIsRecord)
                    rare?.requestId = nil
                } else {
                    stored.remove(.requestIsRecord)
                    if newValue != nil || rare != nil { rareForWriting.requestId = newValue }
                }
            }
        }

        /// Sets the record id, keeping the request id's value whether or not it was the record's.
        func setRecordId(_ newValue: CompactIdentifier?) {
            let request = requestId
            recordId = newValue
            requestId = request
        }

        /// The optional numbers: each value read only while its bit in ``stored`` is set.
        var asn: Int? {
            get { stored.contains(.asn) ? asnValue : nil }
            set { asnValue = newValue ?? 0; stored.mark(.asn, newValue != nil) }
        }

        var tokenIssuedAt: UTCInstant? {
            get { stored.contains(.tokenIssuedAt) ? tokenIssuedAtValue : nil }
            set { tokenIssuedAtValue = newValue ?? UTCInstant(microseconds: 0); stored.mark(.tokenIssuedAt, newValue != nil) }
        }

        var latitude: Double? {
            get { stored.contains(.latitude) ? latitudeValue : nil }
            set { latitudeValue = newValue ?? 0; stored.mark(.latitude, newValue != nil) }
        }

        var longitude: Double? {
            get { stored.contains(.longitude) ? longitudeValue : nil }
            set { longitudeValue = newValue ?? 0; stored.mark(.longitude, newValue != nil) }
        }

        func copy() -> Storage {
            let copy = Storage(time: time, source: source, shape: shape, kind: kind, provenance: provenance)
            copy.asnValue = asnValue
            copy.uniqueTokenId = uniqueTokenId
            copy.userId = userId
            copy.recordId = recordId
            copy.interactive = interactive
            copy.stored = stored
            copy.trustedLocation = trustedLocation
            copy.userPrincipalName = userPrincipalName
            copy.sessionId = sessionId
            copy.ipAddress = ipAddress
            copy.userAgent = userAgent
            copy.country = country
            copy.servicePrincipalId = servicePrincipalId
            copy.appId = appId
            copy.result = result
            copy.operation = operation
            copy.deviceId = deviceId
            copy.incomingTokenType = incomingTokenType
            copy.correlationId = correlationId
            copy.isCompliant = isCompliant
            copy.isManaged = isManaged
            copy.userDisplayName = userDisplayName
            copy.tenantId = tenantId
            copy.sessionIdField = sessionIdField
            copy.deviceName = deviceName
            copy.operatingSystem = operatingSystem
            copy.browser = browser
            copy.trustType = trustType
            copy.city = city
            copy.appName = appName
            copy.resource = resource
            copy.resourceName = resourceName
            copy.authProtocol = authProtocol
            copy.originalTransferMethod = originalTransferMethod
            copy.clientAppUsed = clientAppUsed
            copy.resultCode = resultCode
            copy.workload = workload
            copy.operationDetail = operationDetail
            copy.tokenIssuedAtValue = tokenIssuedAtValue
            copy.latitudeValue = latitudeValue
            copy.longitudeValue = longitudeValue
            copy.rare = rare?.copy()
            return copy
        }
    }

    private var storage: Storage

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// Vocabulary codes of the text fields the link and detection stages use as keys: equal
    /// codes are equal texts, and hashing a code costs nothing beside hashing the text.
    var userIdCode: UInt32 { storage.userId }
    var userPrincipalNameCode: UInt32 { storage.userPrincipalName }
    var sessionIdCode: UInt32 { storage.sessionId }
    var ipAddressCode: UInt32 { storage.ipAddress }
    var userAgentCode: UInt32 { storage.userAgent }
    var countryCode: UInt32 { storage.country }
    var deviceIdCode: UInt32 { storage.deviceId }
    /// The code of ``result`` (`success` or `failure`).
    var outcomeCode: UInt32 { storage.result }
    var incomingTokenTypeCode: UInt32 { storage.incomingTokenType }
    var operationCode: UInt32 { storage.operation }
    /// Codes of the other values `--redact` replaces (``Redactor``).
    var userDisplayNameCode: UInt32 { storage.userDisplayName }
    var deviceNameCode: UInt32 { storage.deviceName }
    var tenantIdCode: UInt32 { storage.tenantId }

    /// An event over storage the ingest stage filled.
    init(storage: Storage) {
        self.storage = storage
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
        get { TextVocabulary.shared.text(storage.userId) }
        set { makeUnique(); storage.userId = TextVocabulary.shared.code(newValue) }
    }

    public var userPrincipalName: String? {
        get { TextVocabulary.shared.text(storage.userPrincipalName) }
        set { makeUnique(); storage.userPrincipalName = TextVocabulary.shared.code(newValue) }
    }

    public var userDisplayName: String? {
        get { TextVocabulary.shared.text(storage.userDisplayName) }
        set { makeUnique(); storage.userDisplayName = TextVocabulary.shared.code(newValue) }
    }

    public var servicePrincipalId: String? {
        get { TextVocabulary.shared.text(storage.servicePrincipalId) }
        set { makeUnique(); storage.servicePrincipalId = TextVocabulary.shared.code(newValue) }
    }

    public var tenantId: String? {
        get { TextVocabulary.shared.text(storage.tenantId) }
        set { makeUnique(); storage.tenantId = TextVocabulary.shared.code(newValue) }
    }

    public var sessionId: String? {
        get { TextVocabulary.shared.text(storage.sessionId) }
        set { makeUnique(); storage.sessionId = TextVocabulary.shared.code(newValue) }
    }

    /// The field that supplied the session id (e.g. `AppAccessContext.AADSessionId`).
    public var sessionIdField: String? {
        get { TextVocabulary.shared.text(storage.sessionIdField) }
        set { makeUnique(); storage.sessionIdField = TextVocabulary.shared.code(newValue) }
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
    var requestKey: CompactIdentifier? { storage.requestId }

    public var correlationId: String? {
        get { storage.correlationId?.text }
        set { makeUnique(); storage.correlationId = newValue.map(CompactIdentifier.init) }
    }

    public var deviceId: String? {
        get { TextVocabulary.shared.text(storage.deviceId) }
        set { makeUnique(); storage.deviceId = TextVocabulary.shared.code(newValue) }
    }

    public var deviceName: String? {
        get { TextVocabulary.shared.text(storage.deviceName) }
        set { makeUnique(); storage.deviceName = TextVocabulary.shared.code(newValue) }
    }

    public var operatingSystem: String? {
        get { TextVocabulary.shared.text(storage.operatingSystem) }
        set { makeUnique(); storage.operatingSystem = TextVocabulary.shared.code(newValue) }
    }

    public var browser: String? {
        get { TextVocabulary.shared.text(storage.browser) }
        set { makeUnique(); storage.browser = TextVocabulary.shared.code(newValue) }
    }

    public var trustType: String? {
        get { TextVocabulary.shared.text(storage.trustType) }
        set { makeUnique(); storage.trustType = TextVocabulary.shared.code(newValue) }
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
        get { TextVocabulary.shared.text(storage.ipAddress) }
        set { makeUnique(); storage.ipAddress = TextVocabulary.shared.code(newValue) }
    }

    public var asn: Int? {
        get { storage.asn }
        set { makeUnique(); storage.asn = newValue }
    }

    public var country: String? {
        get { TextVocabulary.shared.text(storage.country) }
        set { makeUnique(); storage.country = TextVocabulary.shared.code(newValue) }
    }

    public var city: String? {
        get { TextVocabulary.shared.text(storage.city) }
        set { makeUnique(); storage.city = TextVocabulary.shared.code(newValue) }
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
        get { TextVocabulary.shared.text(storage.userAgent) }
        set { makeUnique(); storage.userAgent = TextVocabulary.shared.code(newValue) }
    }

    /// Whether the sign-in came from a trusted named location (`NetworkLocationDetails`).
    public var trustedLocation: Bool? {
        get { storage.trustedLocation }
        set { makeUnique(); storage.trustedLocation = newValue }
    }

    public var appId: String? {
        get { TextVocabulary.shared.text(storage.appId) }
        set { makeUnique(); storage.appId = TextVocabulary.shared.code(newValue) }
    }

    public var appName: String? {
        get { TextVocabulary.shared.text(storage.appName) }
        set { makeUnique(); storage.appName = TextVocabulary.shared.code(newValue) }
    }

    public var resource: String? {
        get { TextVocabulary.shared.text(storage.resource) }
        set { makeUnique(); storage.resource = TextVocabulary.shared.code(newValue) }
    }

    public var resourceName: String? {
        get { TextVocabulary.shared.text(storage.resourceName) }
        set { makeUnique(); storage.resourceName = TextVocabulary.shared.code(newValue) }
    }

    public var interactive: Bool? {
        get { storage.interactive }
        set { makeUnique(); storage.interactive = newValue }
    }

    public var incomingTokenType: String? {
        get { TextVocabulary.shared.text(storage.incomingTokenType) }
        set { makeUnique(); storage.incomingTokenType = TextVocabulary.shared.code(newValue) }
    }

    public var authProtocol: String? {
        get { TextVocabulary.shared.text(storage.authProtocol) }
        set { makeUnique(); storage.authProtocol = TextVocabulary.shared.code(newValue) }
    }

    public var originalTransferMethod: String? {
        get { TextVocabulary.shared.text(storage.originalTransferMethod) }
        set { makeUnique(); storage.originalTransferMethod = TextVocabulary.shared.code(newValue) }
    }

    public var clientAppUsed: String? {
        get { TextVocabulary.shared.text(storage.clientAppUsed) }
        set { makeUnique(); storage.clientAppUsed = TextVocabulary.shared.code(newValue) }
    }

    public var result: String? {
        get { TextVocabulary.shared.text(storage.result) }
        set { makeUnique(); storage.result = TextVocabulary.shared.code(newValue) }
    }

    public var resultCode: String? {
        get { TextVocabulary.shared.text(storage.resultCode) }
        set { makeUnique(); storage.resultCode = TextVocabulary.shared.code(newValue) }
    }

    public var workload: String? {
        get { TextVocabulary.shared.text(storage.workload) }
        set { makeUnique(); storage.workload = TextVocabulary.shared.code(newValue) }
    }

    public var operation: String? {
        get { TextVocabulary.shared.text(storage.operation) }
        set { makeUnique(); storage.operation = TextVocabulary.shared.code(newValue) }
    }

    /// Operation parameters in `Name=Value` form (inbox-rule settings, Graph query).
    public var operationDetail: String? {
        get { TextVocabulary.shared.text(storage.operationDetail) }
        set { makeUnique(); storage.operationDetail = TextVocabulary.shared.code(newValue) }
    }

    /// The operation's parameters as name/value pairs (admin cmdlet `Parameters`, client rule
    /// `OperationProperties`), for the rules that read them.
    public var parameters: [NameValue] {
        get { storage.rare?.parameters ?? [] }
        set {
            makeUnique()
            if !newValue.isEmpty || storage.rare != nil { storage.rareForWriting.parameters = newValue }
        }
    }

    /// How many items one aggregated record stands for (`MailItemsAccessed` `OperationCount`,
    /// else the items listed in its `Folders`), when it says.
    public var itemCount: Int? {
        get { storage.rare?.itemCount }
        set {
            makeUnique()
            if newValue != nil || storage.rare != nil { storage.rareForWriting.itemCount = newValue }
        }
    }

    public var recordId: String? {
        get { storage.recordId?.text }
        set { makeUnique(); storage.setRecordId(newValue.map(CompactIdentifier.init)) }
    }

    /// ``recordId`` as a key (the duplicate check of the merge).
    var recordKey: CompactIdentifier? { storage.recordId }

    public var provenance: Provenance {
        get { storage.provenance }
        set { makeUnique(); storage.provenance = newValue }
    }

    /// What the reader had to assume or could not use in this record.
    public var notes: [String] {
        get { storage.rare?.notes ?? [] }
        set {
            makeUnique()
            if !newValue.isEmpty || storage.rare != nil { storage.rareForWriting.notes = newValue }
        }
    }
}

extension Array where Element == Event {
    /// How far ahead of the event a pass reads it asks for the next one (measured: 8 to 16
    /// events ahead took a pass over three million events from 0.78 to 0.51 s).
    static var prefetchDistance: Int { 16 }

    /// Starts loading the storage of event `index`, when there is one: the object's first
    /// `lines` cache lines (two by default: its header and the fields every pass reads), so
    /// that a pass in time order, which reaches objects made in the order the files were read,
    /// has several misses in flight instead of waiting for each.
    ///
    /// The object's address is read as the bits of the event's one stored reference, without
    /// retaining the object: a retain writes to the object, and an atomic write waits for the
    /// line it misses. This needs an event to be exactly that reference (checked here, at no
    /// cost: the sizes are constants); the hint itself never faults and changes nothing.
    @inline(__always)
    func prefetch(_ index: Int, lines: Int = 2) {
        guard MemoryLayout<Event>.size == MemoryLayout<UInt>.size, MemoryLayout<Event>.stride == MemoryLayout<UInt>.stride,
              index >= 0, index < count else { return }
        withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let bits = UnsafeRawPointer(base).load(fromByteOffset: index * MemoryLayout<Event>.stride, as: UInt.self)
            guard let address = UnsafeRawPointer(bitPattern: bits) else { return }
            for line in 0..<lines { sessiongraph_prefetch(address + 64 * line) }
        }
    }

    /// Starts loading the array's slot for event `index` (its reference, not the object): a
    /// pass that reaches events in an order of its own (a session's nodes) misses on the slot
    /// before it can ask for the object, so it asks for the slot further ahead.
    @inline(__always)
    func prefetchSlot(_ index: Int) {
        guard index >= 0, index < count else { return }
        withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            sessiongraph_prefetch(UnsafeRawPointer(base + index))
        }
    }
}
