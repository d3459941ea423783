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
        var draft = EventDraft(time: time, source: source, shape: shape, kind: .signIn, provenance: provenance)
        draft.notes = notes

        EventDraft.setGUID(&draft.recordId, body.field("Id"))
        draft.requestId = draft.recordId
        EventDraft.setGUID(&draft.correlationId, body.field("CorrelationId") ?? envelope?.field("correlationId"))
        draft.setSession(body.field("SessionId"), field: "SessionId")
        draft.setToken(body.field("UniqueTokenIdentifier"), field: "UniqueTokenIdentifier")

        EventDraft.setGUID(&draft.userId, body.field("UserId"))
        draft.userPrincipalName = body.field("UserPrincipalName")?.lowercased()
        draft.userDisplayName = body.field("UserDisplayName")
        EventDraft.setGUID(&draft.servicePrincipalId, body.field("ServicePrincipalId"))
        if draft.userDisplayName == nil { draft.userDisplayName = body.field("ServicePrincipalName") }
        EventDraft.setGUID(&draft.tenantId, body.field("ResourceTenantId", "HomeTenantId", "AADTenantId") ?? envelope?.field("tenantId"))

        draft.setDevice(body.object("DeviceDetail", "DeviceDetail_dynamic", "DeviceDetail_string"))
        draft.setIP(body.field("IPAddress") ?? envelope?.field("callerIpAddress"), field: "IPAddress")
        draft.setASN(body["AutonomousSystemNumber"])
        // `LocationDetails` (Log Analytics) or `location` (Graph, an object); the Log Analytics
        // `Location` column and the diagnostic envelope `location` are the country alone.
        // The first of them that holds structured data is read; an array there reads as no
        // location (it does not fall through to `location`).
        draft.setLocation((body.structured("LocationDetails", "LocationDetails_dynamic", "LocationDetails_string") ?? body.structured("location"))?.record)
        if draft.country == nil, let country = body["Location"]?.text ?? envelope?.text("location"), country.utf8.count == 2 {
            draft.country = FieldText(country)
        }
        draft.userAgent = body.field("UserAgent")
        let locations = body.elements("NetworkLocationDetails")
        if !locations.isEmpty {
            draft.trustedLocation = locations.contains { $0.text("networkType")?.lowercased() == "trustednamedlocation" }
        }

        draft.appId = body.field("AppId").flatMap(IdentifierNormalizer.guidOrText)
        draft.appName = body.field("AppDisplayName")
        // Graph `resourceId` is the resource app; Log Analytics `ResourceId` is an ARM path and
        // `ResourceIdentity` is the resource app (schemas.md §2.2).
        let resource = body.field("ResourceIdentity") ?? body.field("resourceId").flatMap { $0.string.hasPrefix("/") ? nil : $0 }
        draft.resource = resource.flatMap(IdentifierNormalizer.guidOrText)
        draft.resourceName = body.field("ResourceDisplayName")

        draft.interactive = body["IsInteractive"]?.boolean ?? (source == .signInLogs)
        draft.incomingTokenType = body.field("IncomingTokenType").map(normaliseTokenType)
        draft.authProtocol = body.field("AuthenticationProtocol")
        draft.originalTransferMethod = body.field("OriginalTransferMethod")
        draft.clientAppUsed = body.field("ClientAppUsed")

        let status = body.object("Status", "Status_dynamic", "Status_string")
        let code = body.text("ResultType") ?? status?.text("errorCode") ?? envelope?.text("resultType")
        if let code {
            draft.resultCode = FieldText(code)
            draft.result = code == "0" ? "success" : "failure"
        }
        return draft
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
