/// Maps a Defender XDR `CloudAppEvents` row (advanced-hunting export or streaming-API
/// `properties`) to an ``Event`` (schemas.md §4). The linkable identifiers live in
/// `RawEventData.AppAccessContext`, the unified-audit object; `SessionData` is the Defender for
/// Cloud Apps proxy session and is never read as an Entra session id.
enum CloudAppEventRecordMapper {
    static func map<Row: RecordFields, Envelope: RecordFields>(_ row: Row, envelope: Envelope?, shape: ExportShape, provenance: Provenance, into draft: inout EventDraft) throws(RecordRejection) {
        var notes: [String] = []
        let raw = row.object(.rawEventData)
        let time = try EventDraft.eventTime(
            [(row.raw(.timestamp), "Timestamp"), (row.raw(.timeGenerated), "TimeGenerated"), (raw?.raw(.creationTime), "CreationTime"), (envelope?.raw(.time), "time")], notes: &notes)
        draft = EventDraft(time: time, source: .cloudAppEvents, shape: shape, kind: .action, provenance: provenance)
        draft.notes = notes

        let reportId = row.field(.reportId)
        draft.recordId = reportId
        draft.operation = row.field(.actionType)
        draft.workload = row.field(.application)
        EventDraft.setGUID(&draft.userId, row.field(.accountObjectId))
        if let account = row.field(.accountId), account.contains("@") { draft.userPrincipalName = account.lowercased() }
        draft.userDisplayName = row.field(.accountDisplayName)
        EventDraft.setGUID(&draft.tenantId, envelope?.field(.tenantId))
        draft.setIP(row.field(.ipAddress), field: "IPAddress")
        draft.country = row.field(.countryCode)
        draft.city = row.field(.city)
        draft.userAgent = row.field(.userAgent)
        draft.operatingSystem = row.field(.osPlatform)
        draft.appId = row.field(.oAuthAppId).flatMap(IdentifierNormalizer.guidOrText)
        draft.operationDetail = row.text(.objectName)

        if let raw {
            // Fills only what the row itself did not say (identifiers, client IP, UPN).
            let rowOperation = draft.operation
            AuditRecordMapper.fill(&draft, from: raw)
            draft.recordId = reportId ?? draft.recordId
            draft.operation = rowOperation ?? draft.operation
            draft.kind = .action
        }
    }
}
