/// Maps an Entra sign-in (Log Analytics row, Graph `signIn` object or diagnostic-settings
/// `properties`) to an ``Event``. Field names follow schemas.md §2.2; keys are matched
/// case-insensitively, so `SessionId` and `sessionId` are one field.
enum SignInRecordMapper {
    /// The source a sign-in row belongs to when no table name or category says so:
    /// `signInEventTypes`, then `isInteractive`, then the service-principal fields.
    static func source<Body: RecordFields>(of body: Body) -> (LogSource, String?) {
        let types = body["signInEventTypes"]?.elements.compactMap(\.text) ?? []
        if !types.isEmpty {
            if types.contains("interactiveUser") { return (.signInLogs, nil) }
            if types.contains("nonInteractiveUser") { return (.nonInteractiveSignInLogs, nil) }
            if types.contains("servicePrincipal") { return (.servicePrincipalSignInLogs, nil) }
            if types.contains("managedIdentity") { return (.managedIdentitySignInLogs, nil) }
        }
        if let interactive = body["isInteractive"]?.boolean {
            return (interactive ? .signInLogs : .nonInteractiveSignInLogs, nil)
        }
        if body.text("servicePrincipalId") != nil, body.text("userPrincipalName") == nil {
            return (.servicePrincipalSignInLogs, nil)
        }
        return (.signInLogs, "no table name, event type or isInteractive flag; read as an interactive sign-in (Graph's default)")
    }

    static func map<Body: RecordFields, Envelope: RecordFields>(_ body: Body, envelope: Envelope?, source: LogSource, shape: ExportShape, provenance: Provenance) throws(RecordRejection) -> EventDraft {
        var notes: [String] = []
        let time = try EventDraft.eventTime(
            [(body.raw("CreatedDateTime"), "CreatedDateTime"), (body.raw("TimeGenerated"), "TimeGenerated"), (envelope?.raw("time"), "time")], notes: &notes)
        var b = EventDraft(time: time, source: source, shape: shape, kind: .signIn, provenance: provenance)
        b.notes = notes

        EventDraft.setGUID(&b.recordId, body.field("Id"))
        b.requestId = b.recordId
        EventDraft.setGUID(&b.correlationId, body.field("CorrelationId") ?? envelope?.field("correlationId"))
        b.setSession(body.field("SessionId"), field: "SessionId")
        b.setToken(body.field("UniqueTokenIdentifier"), field: "UniqueTokenIdentifier")

        EventDraft.setGUID(&b.userId, body.field("UserId"))
        b.userPrincipalName = body.field("UserPrincipalName")?.lowercased()
        b.userDisplayName = body.field("UserDisplayName")
        EventDraft.setGUID(&b.servicePrincipalId, body.field("ServicePrincipalId"))
        if b.userDisplayName == nil { b.userDisplayName = body.field("ServicePrincipalName") }
        EventDraft.setGUID(&b.tenantId, body.field("ResourceTenantId", "HomeTenantId", "AADTenantId") ?? envelope?.field("tenantId"))

        b.setDevice(body.object("DeviceDetail", "DeviceDetail_dynamic", "DeviceDetail_string"))
        b.setIP(body.field("IPAddress") ?? envelope?.field("callerIpAddress"), field: "IPAddress")
        b.setASN(body["AutonomousSystemNumber"])
        // `LocationDetails` (Log Analytics) or `location` (Graph, an object); the Log Analytics
        // `Location` column and the diagnostic envelope `location` are the country alone.
        // The first of them that holds structured data is read; an array there reads as no
        // location (it does not fall through to `location`).
        b.setLocation((body.structured("LocationDetails", "LocationDetails_dynamic", "LocationDetails_string") ?? body.structured("location"))?.record)
        if b.country == nil, let country = body["Location"]?.text ?? envelope?.text("location"), country.utf8.count == 2 {
            b.country = FieldText(country)
        }
        b.userAgent = body.field("UserAgent")
        let locations = body.elements("NetworkLocationDetails")
        if !locations.isEmpty {
            b.trustedLocation = locations.contains { $0.text("networkType")?.lowercased() == "trustednamedlocation" }
        }

        b.appId = body.field("AppId").flatMap(IdentifierNormalizer.guidOrText)
        b.appName = body.field("AppDisplayName")
        // Graph `resourceId` is the resource app; Log Analytics `ResourceId` is an ARM path and
        // `ResourceIdentity` is the resource app (schemas.md §2.2).
        let resource = body.field("ResourceIdentity") ?? body.field("resourceId").flatMap { $0.string.hasPrefix("/") ? nil : $0 }
        b.resource = resource.flatMap(IdentifierNormalizer.guidOrText)
        b.resourceName = body.field("ResourceDisplayName")

        b.interactive = body["IsInteractive"]?.boolean ?? (source == .signInLogs)
        b.incomingTokenType = body.field("IncomingTokenType").map(normaliseTokenType)
        b.authProtocol = body.field("AuthenticationProtocol")
        b.originalTransferMethod = body.field("OriginalTransferMethod")
        b.clientAppUsed = body.field("ClientAppUsed")

        let status = body.object("Status", "Status_dynamic", "Status_string")
        let code = body.text("ResultType") ?? status?.text("errorCode") ?? envelope?.text("resultType")
        if let code {
            b.resultCode = FieldText(code)
            b.result = code == "0" ? "success" : "failure"
        }
        return b
    }

    /// Display text (`Primary Refresh Token`) and enum values (`primaryRefreshToken`) alike
    /// become the enum value.
    static func normaliseTokenType(_ raw: FieldText) -> FieldText {
        // Log Analytics rows already hold the enum value: no copy needed.
        if tokenTypes.contains(where: raw.sameBytes(as:)) { return raw }
        let text = raw.string
        let folded = text.lowercased().filter { $0 != " " }
        return FieldText(tokenTypes.first { $0.lowercased() == folded } ?? text)
    }

    /// The `incomingTokenType` enum values.
    static let tokenTypes = ["primaryRefreshToken", "refreshToken", "none", "saml11", "saml20", "remoteDesktopToken"]
}
