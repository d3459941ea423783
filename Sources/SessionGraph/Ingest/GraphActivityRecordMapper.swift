/// Maps a Microsoft Graph activity log record (Log Analytics row or diagnostic-settings
/// `properties`) to an ``Event`` (schemas.md §3).
enum GraphActivityRecordMapper {
    static func map<Body: RecordFields, Envelope: RecordFields>(_ body: Body, envelope: Envelope?, shape: ExportShape, provenance: Provenance) throws(RecordRejection) -> EventDraft {
        var notes: [String] = []
        let time = try EventBuilder.time([(body["TimeGenerated"], "TimeGenerated"), (envelope?["time"], "time")], notes: &notes)
        var b = EventBuilder(time: time, source: .graphActivityLogs, shape: shape, kind: .action, provenance: provenance)
        b.event.notes = notes

        b.setGUID(\.recordId, body.text("RequestId") ?? envelope?.text("correlationId"))
        b.setSession(body.text("SessionId"), field: "SessionId")
        b.setSession(body.text("C_Sid"), field: "C_Sid")
        b.setToken(body.text("SignInActivityId"), field: "SignInActivityId")
        b.setIssuedAt(body["TokenIssuedAt"], field: "TokenIssuedAt")
        b.setIssuedAt(body["C_Iat"], field: "C_Iat")
        b.setGUID(\.deviceId, body.text("DeviceId", "C_DeviceId"))

        b.setGUID(\.userId, body.text("UserId"))
        b.setGUID(\.servicePrincipalId, body.text("ServicePrincipalId"))
        if b.event.userId == nil, b.event.servicePrincipalId == nil || body.text("C_Idtyp") == "user" {
            b.setGUID(\.userId, body.text("UserPrincipalObjectID"))
        }
        // Log Analytics `TenantId` is the workspace; the Entra tenant is `AadTenantId`, or
        // `tenantId` inside diagnostic-settings properties (schemas.md §3.1).
        b.setGUID(\.tenantId, body.text("AadTenantId") ?? (envelope != nil ? body.text("tenantId") ?? envelope?.text("tenantId") : nil))

        b.setIP(body.text("IPAddress") ?? envelope?.text("callerIpAddress"), field: "IPAddress")
        b.event.userAgent = body.text("UserAgent")
        b.event.appId = body.text("AppId").flatMap(IdentifierNormalizer.guidOrText)
        b.event.workload = "MicrosoftGraph"
        let method = body.text("RequestMethod") ?? "?"
        let uri = body.text("RequestUri") ?? ""
        b.event.operation = "\(method) \(uri)"
        if let scopes = body.text("Scopes") { b.event.operationDetail = "scopes=\(scopes)" }
        if let roles = body.text("Roles") { b.event.operationDetail = (b.event.operationDetail.map { $0 + "; " } ?? "") + "roles=\(roles)" }
        if let status = body.text("ResponseStatusCode") ?? envelope?.text("resultSignature") {
            b.event.resultCode = status
            b.event.result = status.hasPrefix("2") || status.hasPrefix("3") ? "success" : "failure"
        }
        return b.event
    }
}
