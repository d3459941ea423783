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
        let time = try EventBuilder.time(
            [(body["CreatedDateTime"], "CreatedDateTime"), (body["TimeGenerated"], "TimeGenerated"), (envelope?["time"], "time")], notes: &notes)
        var b = EventBuilder(time: time, source: source, shape: shape, kind: .signIn, provenance: provenance)
        b.event.notes = notes

        b.setGUID(\.recordId, body.text("Id"))
        b.event.requestId = b.event.recordId
        b.setGUID(\.correlationId, body.text("CorrelationId") ?? envelope?.text("correlationId"))
        b.setSession(body.text("SessionId"), field: "SessionId")
        b.setToken(body.text("UniqueTokenIdentifier"), field: "UniqueTokenIdentifier")

        b.setGUID(\.userId, body.text("UserId"))
        b.event.userPrincipalName = body.text("UserPrincipalName").map { $0.lowercased() }
        b.event.userDisplayName = body.text("UserDisplayName")
        b.setGUID(\.servicePrincipalId, body.text("ServicePrincipalId"))
        if b.event.userDisplayName == nil { b.event.userDisplayName = body.text("ServicePrincipalName") }
        b.setGUID(\.tenantId, body.text("ResourceTenantId", "HomeTenantId", "AADTenantId") ?? envelope?.text("tenantId"))

        b.setDevice(body.nested("DeviceDetail", "DeviceDetail_dynamic", "DeviceDetail_string"))
        b.setIP(body.text("IPAddress") ?? envelope?.text("callerIpAddress"), field: "IPAddress")
        b.setASN(body["AutonomousSystemNumber"])
        // `LocationDetails` (Log Analytics) or `location` (Graph, an object); the Log Analytics
        // `Location` column and the diagnostic envelope `location` are the country alone.
        b.setLocation(body.nested("LocationDetails", "LocationDetails_dynamic", "LocationDetails_string") ?? body.nested("location"))
        if b.event.country == nil, let country = body["Location"]?.text ?? envelope?.text("location"), country.utf8.count == 2 {
            b.event.country = country
        }
        b.event.userAgent = body.text("UserAgent")
        if let locations = body.nested("NetworkLocationDetails")?.elements, !locations.isEmpty {
            b.event.trustedLocation = locations.contains { $0.text("networkType")?.lowercased() == "trustednamedlocation" }
        }

        b.event.appId = body.text("AppId").flatMap(IdentifierNormalizer.guidOrText)
        b.event.appName = body.text("AppDisplayName")
        // Graph `resourceId` is the resource app; Log Analytics `ResourceId` is an ARM path and
        // `ResourceIdentity` is the resource app (schemas.md §2.2).
        let resource = body.text("ResourceIdentity") ?? body.text("resourceId").flatMap { $0.hasPrefix("/") ? nil : $0 }
        b.event.resource = resource.flatMap(IdentifierNormalizer.guidOrText)
        b.event.resourceName = body.text("ResourceDisplayName")

        b.event.interactive = body["IsInteractive"]?.boolean ?? (source == .signInLogs)
        b.event.incomingTokenType = body.text("IncomingTokenType").map(normaliseTokenType)
        b.event.authProtocol = body.text("AuthenticationProtocol")
        b.event.originalTransferMethod = body.text("OriginalTransferMethod")
        b.event.clientAppUsed = body.text("ClientAppUsed")

        let status = body.nested("Status", "Status_dynamic", "Status_string")
        let code = body.text("ResultType") ?? status?.text("errorCode") ?? envelope?.text("resultType")
        if let code {
            b.event.resultCode = code
            b.event.result = code == "0" ? "success" : "failure"
        }
        return b.event
    }

    /// Display text (`Primary Refresh Token`) and enum values (`primaryRefreshToken`) alike
    /// become the enum value.
    static func normaliseTokenType(_ raw: String) -> String {
        // Log Analytics rows already hold the enum value: no copy needed.
        if tokenTypes.contains(raw) { return raw }
        let folded = raw.lowercased().filter { $0 != " " }
        return tokenTypes.first { $0.lowercased() == folded } ?? raw
    }

    /// The `incomingTokenType` enum values.
    static let tokenTypes = ["primaryRefreshToken", "refreshToken", "none", "saml11", "saml20", "remoteDesktopToken"]
}
