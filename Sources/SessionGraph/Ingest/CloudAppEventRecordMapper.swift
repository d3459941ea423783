/// Maps a Defender XDR `CloudAppEvents` row (advanced-hunting export or streaming-API
/// `properties`) to an ``Event`` (schemas.md §4). The linkable identifiers live in
/// `RawEventData.AppAccessContext`, the unified-audit object; `SessionData` is the Defender for
/// Cloud Apps proxy session and is never read as an Entra session id.
enum CloudAppEventRecordMapper {
    static func map<Row: RecordFields, Envelope: RecordFields>(_ row: Row, envelope: Envelope?, shape: ExportShape, provenance: Provenance) throws(RecordRejection) -> EventDraft {
        var notes: [String] = []
        let raw = row.object("RawEventData")
        let time = try EventDraft.eventTime(
            [(row.raw("Timestamp"), "Timestamp"), (row.raw("TimeGenerated"), "TimeGenerated"), (raw?.raw("CreationTime"), "CreationTime"), (envelope?.raw("time"), "time")], notes: &notes)
        var draft = EventDraft(time: time, source: .cloudAppEvents, shape: shape, kind: .action, provenance: provenance)
        draft.notes = notes

        let reportId = row.field("ReportId")
        draft.recordId = reportId
        draft.operation = row.field("ActionType")
        draft.workload = row.field("Application")
        EventDraft.setGUID(&draft.userId, row.field("AccountObjectId"))
        if let account = row.field("AccountId"), account.contains("@") { draft.userPrincipalName = account.lowercased() }
        draft.userDisplayName = row.field("AccountDisplayName")
        EventDraft.setGUID(&draft.tenantId, envelope?.field("tenantId"))
        draft.setIP(row.field("IPAddress"), field: "IPAddress")
        draft.country = row.field("CountryCode")
        draft.city = row.field("City")
        draft.userAgent = row.field("UserAgent")
        draft.operatingSystem = row.field("OSPlatform")
        draft.appId = row.field("OAuthAppId").flatMap(IdentifierNormalizer.guidOrText)
        draft.operationDetail = row.text("ObjectName")

        if let raw {
            // Fills only what the row itself did not say (identifiers, client IP, UPN).
            let rowOperation = draft.operation
            AuditRecordMapper.fill(&draft, from: raw)
            draft.recordId = reportId ?? draft.recordId
            draft.operation = rowOperation ?? draft.operation
            draft.kind = .action
        }
        return draft
    }
}
