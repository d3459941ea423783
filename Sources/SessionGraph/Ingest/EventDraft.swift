/// One record's fields as a mapper fills them, before the event is made compact: text as the
/// record holds it (``FieldText``: bytes of the file or of a CSV row, or a string). ``TextInterner/event(_:)``
/// turns a draft into an ``Event`` at once, looking the text up in the file's front cache of the
/// shared vocabulary.
struct EventDraft {
    var time: UTCInstant
    var source: LogSource
    var shape: ExportShape
    var kind: EventKind
    var provenance: Provenance
    var userId: FieldText? = nil
    var userPrincipalName: FieldText? = nil
    var userDisplayName: FieldText? = nil
    var servicePrincipalId: FieldText? = nil
    var tenantId: FieldText? = nil
    var sessionId: FieldText? = nil
    var sessionIdField: FieldText? = nil
    var deviceId: FieldText? = nil
    var deviceName: FieldText? = nil
    var operatingSystem: FieldText? = nil
    var browser: FieldText? = nil
    var trustType: FieldText? = nil
    var ipAddress: FieldText? = nil
    var country: FieldText? = nil
    var city: FieldText? = nil
    var userAgent: FieldText? = nil
    var appId: FieldText? = nil
    var appName: FieldText? = nil
    var resource: FieldText? = nil
    var resourceName: FieldText? = nil
    var incomingTokenType: FieldText? = nil
    var authProtocol: FieldText? = nil
    var originalTransferMethod: FieldText? = nil
    var clientAppUsed: FieldText? = nil
    var result: FieldText? = nil
    var resultCode: FieldText? = nil
    var workload: FieldText? = nil
    var operation: FieldText? = nil
    /// Per-record ids, held compact in the event.
    var uniqueTokenId: FieldText? = nil
    var requestId: FieldText? = nil
    var correlationId: FieldText? = nil
    var recordId: FieldText? = nil
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

    /// The draft a reader hands to ``RecordInterpreter`` for one record, which the record's mapper
    /// replaces; it is never made into an event as it is.
    static func blank(_ provenance: Provenance) -> EventDraft {
        EventDraft(time: UTCInstant(microseconds: 0), source: .signInLogs, shape: .logAnalyticsNDJSON, kind: .action, provenance: provenance)
    }
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
        s.operationDetail = code(draft.operationDetail.map(FieldText.text))
        s.uniqueTokenId = draft.uniqueTokenId.map(CompactIdentifier.init(_:))
        s.correlationId = draft.correlationId.map(CompactIdentifier.init(_:))
        s.recordId = draft.recordId.map(CompactIdentifier.init(_:))
        // A sign-in's request id is its record id: a bit, not a second identifier.
        if let request = draft.requestId, let record = draft.recordId, request.sameBytes(as: record) {
            s.stored.insert(.requestIsRecord)
        } else if let request = draft.requestId {
            s.requestId = CompactIdentifier(request)
        }
        s.tokenIssuedAt = draft.tokenIssuedAt
        s.asn = draft.asn
        s.latitude = draft.latitude
        s.longitude = draft.longitude
        s.isCompliant = draft.isCompliant
        s.isManaged = draft.isManaged
        s.trustedLocation = draft.trustedLocation
        s.interactive = draft.interactive
        if draft.itemCount != nil || !draft.parameters.isEmpty || !draft.notes.isEmpty {
            let rare = s.rareForWriting
            rare.itemCount = draft.itemCount
            rare.parameters = draft.parameters
            rare.notes = draft.notes
        }
        return Event(storage: s)
    }
}

extension CompactIdentifier {
    /// The identifier of a field's text; a string is made only when it has neither compact form.
    init(_ field: FieldText) {
        self = field.withUTF8(CompactIdentifier.compact) ?? .text(field.string)
    }
}
