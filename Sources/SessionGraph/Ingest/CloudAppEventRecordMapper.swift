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
        var b = EventDraft(time: time, source: .cloudAppEvents, shape: shape, kind: .action, provenance: provenance)
        b.notes = notes

        b.recordId = row.field("ReportId")
        b.operation = row.field("ActionType")
        b.workload = row.field("Application")
        EventDraft.setGUID(&b.userId, row.field("AccountObjectId"))
        if let account = row.field("AccountId"), account.contains("@") { b.userPrincipalName = account.lowercased() }
        b.userDisplayName = row.field("AccountDisplayName")
        EventDraft.setGUID(&b.tenantId, envelope?.field("tenantId"))
        b.setIP(row.field("IPAddress"), field: "IPAddress")
        b.country = row.field("CountryCode")
        b.city = row.field("City")
        b.userAgent = row.field("UserAgent")
        b.operatingSystem = row.field("OSPlatform")
        b.appId = row.field("OAuthAppId").flatMap(IdentifierNormalizer.guidOrText)
        b.operationDetail = row.text("ObjectName")

        if let raw {
            // Fills only what the row itself did not say (identifiers, client IP, UPN).
            let rowOperation = b.operation
            AuditRecordMapper.fill(&b, from: raw)
            b.recordId = row.field("ReportId") ?? b.recordId
            b.operation = rowOperation ?? b.operation
            b.kind = .action
        }
        return b
    }
}
