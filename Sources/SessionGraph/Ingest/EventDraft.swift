/// One record's fields as a mapper fills them: plain strings, before the event is made compact.
/// ``TextInterner/event(_:)`` turns a draft into an ``Event``, looking the repeated text up in
/// the file's front cache of the shared vocabulary.
struct EventDraft {
    var time: UTCInstant
    var source: LogSource
    var shape: ExportShape
    var kind: EventKind
    var provenance: Provenance
    var userId: String? = nil
    var userPrincipalName: String? = nil
    var userDisplayName: String? = nil
    var servicePrincipalId: String? = nil
    var tenantId: String? = nil
    var sessionId: String? = nil
    var sessionIdField: String? = nil
    var deviceId: String? = nil
    var deviceName: String? = nil
    var operatingSystem: String? = nil
    var browser: String? = nil
    var trustType: String? = nil
    var ipAddress: String? = nil
    var country: String? = nil
    var city: String? = nil
    var userAgent: String? = nil
    var appId: String? = nil
    var appName: String? = nil
    var resource: String? = nil
    var resourceName: String? = nil
    var incomingTokenType: String? = nil
    var authProtocol: String? = nil
    var originalTransferMethod: String? = nil
    var clientAppUsed: String? = nil
    var result: String? = nil
    var resultCode: String? = nil
    var workload: String? = nil
    var operation: String? = nil
    /// Per-record ids, held compact in the event.
    var uniqueTokenId: String? = nil
    var requestId: String? = nil
    var correlationId: String? = nil
    var recordId: String? = nil
    var tokenIssuedAt: UTCInstant? = nil
    var isCompliant: Bool? = nil
    var isManaged: Bool? = nil
    var asn: Int? = nil
    var latitude: Double? = nil
    var longitude: Double? = nil
    var trustedLocation: Bool? = nil
    var interactive: Bool? = nil
    var operationDetail: String? = nil
    var itemCount: Int? = nil
    var parameters: [NameValue] = []
    var notes: [String] = []
}

extension TextInterner {
    /// The compact event of `draft`.
    mutating func event(_ draft: EventDraft) -> Event {
        let s = Event.Storage(time: draft.time, source: draft.source, shape: draft.shape, kind: draft.kind, provenance: draft.provenance)
        s.userId = code(draft.userId)
        s.userPrincipalName = code(draft.userPrincipalName)
        s.userDisplayName = code(draft.userDisplayName)
        s.servicePrincipalId = code(draft.servicePrincipalId)
        s.tenantId = code(draft.tenantId)
        s.sessionId = code(draft.sessionId)
        s.sessionIdField = code(draft.sessionIdField)
        s.deviceId = code(draft.deviceId)
        s.deviceName = code(draft.deviceName)
        s.operatingSystem = code(draft.operatingSystem)
        s.browser = code(draft.browser)
        s.trustType = code(draft.trustType)
        s.ipAddress = code(draft.ipAddress)
        s.country = code(draft.country)
        s.city = code(draft.city)
        s.userAgent = code(draft.userAgent)
        s.appId = code(draft.appId)
        s.appName = code(draft.appName)
        s.resource = code(draft.resource)
        s.resourceName = code(draft.resourceName)
        s.incomingTokenType = code(draft.incomingTokenType)
        s.authProtocol = code(draft.authProtocol)
        s.originalTransferMethod = code(draft.originalTransferMethod)
        s.clientAppUsed = code(draft.clientAppUsed)
        s.result = code(draft.result)
        s.resultCode = code(draft.resultCode)
        s.workload = code(draft.workload)
        s.operation = code(draft.operation)
        s.uniqueTokenId = draft.uniqueTokenId.map(CompactIdentifier.init)
        s.requestId = draft.requestId.map(CompactIdentifier.init)
        s.correlationId = draft.correlationId.map(CompactIdentifier.init)
        s.recordId = draft.recordId.map(CompactIdentifier.init)
        s.tokenIssuedAt = draft.tokenIssuedAt
        s.isCompliant = draft.isCompliant
        s.isManaged = draft.isManaged
        s.asn = draft.asn
        s.latitude = draft.latitude
        s.longitude = draft.longitude
        s.trustedLocation = draft.trustedLocation
        s.interactive = draft.interactive
        s.operationDetail = draft.operationDetail
        s.itemCount = draft.itemCount
        s.parameters = draft.parameters
        s.notes = draft.notes
        return Event(storage: s)
    }
}
