/// Maps a Microsoft Graph activity log record (Log Analytics row or diagnostic-settings
/// `properties`) to an ``Event`` (schemas.md §3).
enum GraphActivityRecordMapper {
    static func map<Body: RecordFields, Envelope: RecordFields>(_ body: Body, envelope: Envelope?, shape: ExportShape, provenance: Provenance, into draft: inout EventDraft) throws(RecordRejection) {
        var notes: [String] = []
        let time = try EventDraft.eventTime([(body.raw(.timeGenerated), "TimeGenerated"), (envelope?.raw(.time), "time")], notes: &notes)
        draft = EventDraft(time: time, source: .graphActivityLogs, shape: shape, kind: .action, provenance: provenance)
        draft.notes = notes

        EventDraft.setGUID(&draft.recordId, body.field(.requestId) ?? envelope?.field(.correlationId))
        draft.setSession(body.field(.sessionId), field: "SessionId")
        draft.setSession(body.field(.c_Sid), field: "C_Sid")
        draft.setToken(body.field(.signInActivityId), field: "SignInActivityId")
        draft.setIssuedAt(body.raw(.tokenIssuedAt), field: "TokenIssuedAt")
        draft.setIssuedAt(body.raw(.c_Iat), field: "C_Iat")
        EventDraft.setGUID(&draft.deviceId, body.field(.deviceId, .c_DeviceId))

        EventDraft.setGUID(&draft.userId, body.field(.userId))
        EventDraft.setGUID(&draft.servicePrincipalId, body.field(.servicePrincipalId))
        if draft.userId == nil, draft.servicePrincipalId == nil || body.text(.c_Idtyp) == "user" {
            EventDraft.setGUID(&draft.userId, body.field(.userPrincipalObjectID))
        }
        // Log Analytics `TenantId` is the workspace; the Entra tenant is `AadTenantId`, or
        // `tenantId` inside diagnostic-settings properties (schemas.md §3.1).
        EventDraft.setGUID(&draft.tenantId, body.field(.aadTenantId) ?? (envelope != nil ? body.field(.tenantId) ?? envelope?.field(.tenantId) : nil))

        draft.setIP(body.field(.ipAddress) ?? envelope?.field(.callerIpAddress), field: "IPAddress")
        draft.userAgent = body.field(.userAgent)
        draft.appId = body.field(.appId).flatMap(IdentifierNormalizer.guidOrText)
        draft.workload = "MicrosoftGraph"
        // `GET https://…`, made in one string from the record's bytes.
        let method = body.field(.requestMethod) ?? "?"
        let uri = body.field(.requestUri) ?? ""
        draft.operation = FieldText(FieldText.joined(method, " ", uri))
        let scopes = body.field(.scopes), roles = body.field(.roles)
        if let scopes, let roles {
            draft.operationDetail = FieldText.joined("scopes=", scopes, "; roles=", roles)
        } else if let scopes {
            draft.operationDetail = FieldText.joined("scopes=", scopes)
        } else if let roles {
            draft.operationDetail = FieldText.joined("roles=", roles)
        }
        if let status = body.text(.responseStatusCode) ?? envelope?.text(.resultSignature) {
            draft.resultCode = FieldText(status)
            draft.result = status.hasPrefix("2") || status.hasPrefix("3") ? "success" : "failure"
        }
    }
}
