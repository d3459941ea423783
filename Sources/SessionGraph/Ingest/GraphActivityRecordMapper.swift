/// Maps a Microsoft Graph activity log record (Log Analytics row or diagnostic-settings
/// `properties`) to an ``Event`` (schemas.md §3).
enum GraphActivityRecordMapper {
    static func map<Body: RecordFields, Envelope: RecordFields>(_ body: Body, envelope: Envelope?, shape: ExportShape, provenance: Provenance) throws(RecordRejection) -> EventDraft {
        var notes: [String] = []
        let time = try EventDraft.eventTime([(body.raw("TimeGenerated"), "TimeGenerated"), (envelope?.raw("time"), "time")], notes: &notes)
        var b = EventDraft(time: time, source: .graphActivityLogs, shape: shape, kind: .action, provenance: provenance)
        b.notes = notes

        EventDraft.setGUID(&b.recordId, body.field("RequestId") ?? envelope?.field("correlationId"))
        b.setSession(body.field("SessionId"), field: "SessionId")
        b.setSession(body.field("C_Sid"), field: "C_Sid")
        b.setToken(body.field("SignInActivityId"), field: "SignInActivityId")
        b.setIssuedAt(body.raw("TokenIssuedAt"), field: "TokenIssuedAt")
        b.setIssuedAt(body.raw("C_Iat"), field: "C_Iat")
        EventDraft.setGUID(&b.deviceId, body.field("DeviceId", "C_DeviceId"))

        EventDraft.setGUID(&b.userId, body.field("UserId"))
        EventDraft.setGUID(&b.servicePrincipalId, body.field("ServicePrincipalId"))
        if b.userId == nil, b.servicePrincipalId == nil || body.text("C_Idtyp") == "user" {
            EventDraft.setGUID(&b.userId, body.field("UserPrincipalObjectID"))
        }
        // Log Analytics `TenantId` is the workspace; the Entra tenant is `AadTenantId`, or
        // `tenantId` inside diagnostic-settings properties (schemas.md §3.1).
        EventDraft.setGUID(&b.tenantId, body.field("AadTenantId") ?? (envelope != nil ? body.field("tenantId") ?? envelope?.field("tenantId") : nil))

        b.setIP(body.field("IPAddress") ?? envelope?.field("callerIpAddress"), field: "IPAddress")
        b.userAgent = body.field("UserAgent")
        b.appId = body.field("AppId").flatMap(IdentifierNormalizer.guidOrText)
        b.workload = "MicrosoftGraph"
        // `GET https://…`, made in one string from the record's bytes.
        let method = body.field("RequestMethod") ?? "?"
        let uri = body.field("RequestUri") ?? ""
        b.operation = FieldText(FieldText.joined(method, " ", uri))
        let scopes = body.field("Scopes"), roles = body.field("Roles")
        if let scopes, let roles {
            b.operationDetail = FieldText.joined("scopes=", scopes, "; roles=", roles)
        } else if let scopes {
            b.operationDetail = FieldText.joined("scopes=", scopes)
        } else if let roles {
            b.operationDetail = FieldText.joined("roles=", roles)
        }
        if let status = body.text("ResponseStatusCode") ?? envelope?.text("resultSignature") {
            b.resultCode = FieldText(status)
            b.result = status.hasPrefix("2") || status.hasPrefix("3") ? "success" : "failure"
        }
        return b
    }
}
