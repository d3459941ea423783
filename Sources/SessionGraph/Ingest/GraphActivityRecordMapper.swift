/// Maps a Microsoft Graph activity log record (Log Analytics row or diagnostic-settings
/// `properties`) to an ``Event`` (schemas.md §3).
enum GraphActivityRecordMapper {
    static func map<Body: RecordFields, Envelope: RecordFields>(_ body: Body, envelope: Envelope?, shape: ExportShape, provenance: Provenance) throws(RecordRejection) -> EventDraft {
        var notes: [String] = []
        let time = try EventBuilder.time([(body.raw("TimeGenerated"), "TimeGenerated"), (envelope?.raw("time"), "time")], notes: &notes)
        var b = EventBuilder(time: time, source: .graphActivityLogs, shape: shape, kind: .action, provenance: provenance)
        b.event.notes = notes

        b.setGUID(\.recordId, body.field("RequestId") ?? envelope?.field("correlationId"))
        b.setSession(body.field("SessionId"), field: "SessionId")
        b.setSession(body.field("C_Sid"), field: "C_Sid")
        b.setToken(body.field("SignInActivityId"), field: "SignInActivityId")
        b.setIssuedAt(body.raw("TokenIssuedAt"), field: "TokenIssuedAt")
        b.setIssuedAt(body.raw("C_Iat"), field: "C_Iat")
        b.setGUID(\.deviceId, body.field("DeviceId", "C_DeviceId"))

        b.setGUID(\.userId, body.field("UserId"))
        b.setGUID(\.servicePrincipalId, body.field("ServicePrincipalId"))
        if b.event.userId == nil, b.event.servicePrincipalId == nil || body.text("C_Idtyp") == "user" {
            b.setGUID(\.userId, body.field("UserPrincipalObjectID"))
        }
        // Log Analytics `TenantId` is the workspace; the Entra tenant is `AadTenantId`, or
        // `tenantId` inside diagnostic-settings properties (schemas.md §3.1).
        b.setGUID(\.tenantId, body.field("AadTenantId") ?? (envelope != nil ? body.field("tenantId") ?? envelope?.field("tenantId") : nil))

        b.setIP(body.field("IPAddress") ?? envelope?.field("callerIpAddress"), field: "IPAddress")
        b.event.userAgent = body.field("UserAgent")
        b.event.appId = body.field("AppId").flatMap(IdentifierNormalizer.guidOrText)
        b.event.workload = "MicrosoftGraph"
        // `GET https://…`, made in one string from the record's bytes.
        let method = body.field("RequestMethod") ?? "?"
        let uri = body.field("RequestUri") ?? ""
        b.event.operation = FieldText(FieldText.joined(method, " ", uri))
        let scopes = body.field("Scopes"), roles = body.field("Roles")
        if let scopes, let roles {
            b.event.operationDetail = FieldText.joined("scopes=", scopes, "; roles=", roles)
        } else if let scopes {
            b.event.operationDetail = FieldText.joined("scopes=", scopes)
        } else if let roles {
            b.event.operationDetail = FieldText.joined("roles=", roles)
        }
        if let status = body.text("ResponseStatusCode") ?? envelope?.text("resultSignature") {
            b.event.resultCode = FieldText(status)
            b.event.result = status.hasPrefix("2") || status.hasPrefix("3") ? "success" : "failure"
        }
        return b.event
    }
}
