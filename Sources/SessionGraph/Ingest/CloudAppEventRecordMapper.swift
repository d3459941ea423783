/// Maps a Defender XDR `CloudAppEvents` row (advanced-hunting export or streaming-API
/// `properties`) to an ``Event`` (schemas.md §4). The linkable identifiers live in
/// `RawEventData.AppAccessContext`, the unified-audit object; `SessionData` is the Defender for
/// Cloud Apps proxy session and is never read as an Entra session id.
enum CloudAppEventRecordMapper {
    static func map<Row: RecordFields, Envelope: RecordFields>(_ row: Row, envelope: Envelope?, shape: ExportShape, provenance: Provenance) throws(RecordRejection) -> EventDraft {
        var notes: [String] = []
        let raw = row.object("RawEventData")
        let time = try EventBuilder.time(
            [(row.raw("Timestamp"), "Timestamp"), (row.raw("TimeGenerated"), "TimeGenerated"), (raw?.raw("CreationTime"), "CreationTime"), (envelope?.raw("time"), "time")], notes: &notes)
        var b = EventBuilder(time: time, source: .cloudAppEvents, shape: shape, kind: .action, provenance: provenance)
        b.event.notes = notes

        b.event.recordId = row.field("ReportId")
        b.event.operation = row.field("ActionType")
        b.event.workload = row.field("Application")
        b.setGUID(\.userId, row.field("AccountObjectId"))
        if let account = row.field("AccountId"), account.contains("@") { b.event.userPrincipalName = account.lowercased() }
        b.event.userDisplayName = row.field("AccountDisplayName")
        b.setGUID(\.tenantId, envelope?.field("tenantId"))
        b.setIP(row.field("IPAddress"), field: "IPAddress")
        b.event.country = row.field("CountryCode")
        b.event.city = row.field("City")
        b.event.userAgent = row.field("UserAgent")
        b.event.operatingSystem = row.field("OSPlatform")
        b.event.appId = row.field("OAuthAppId").flatMap(IdentifierNormalizer.guidOrText)
        b.event.operationDetail = row.text("ObjectName")

        if let raw {
            // Fills only what the row itself did not say (identifiers, client IP, UPN).
            let rowOperation = b.event.operation
            AuditRecordMapper.fill(&b, from: raw)
            b.event.recordId = row.field("ReportId") ?? b.event.recordId
            b.event.operation = rowOperation ?? b.event.operation
            b.event.kind = .action
        }
        return b.event
    }
}
