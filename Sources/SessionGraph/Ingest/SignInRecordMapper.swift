/// Maps an Entra sign-in (Log Analytics row, Graph `signIn` object or diagnostic-settings
/// `properties`) to an ``Event``. Field names follow schemas.md §2.2; keys are matched
/// case-insensitively, so `SessionId` and `sessionId` are one field.
enum SignInRecordMapper {
    /// The source a sign-in row belongs to when no table name or category says so:
    /// `signInEventTypes`, then `isInteractive`, then the service-principal fields.
    static func source<Body: RecordFields>(of body: Body) -> (LogSource, String?) {
        let types = body[.signInEventTypes]?.elements.compactMap(\.text) ?? []
        if !types.isEmpty {
            if types.contains("interactiveUser") { return (.signInLogs, nil) }
            if types.contains("nonInteractiveUser") { return (.nonInteractiveSignInLogs, nil) }
            if types.contains("servicePrincipal") { return (.servicePrincipalSignInLogs, nil) }
            if types.contains("managedIdentity") { return (.managedIdentitySignInLogs, nil) }
        }
        if let interactive = body[.isInteractive]?.boolean {
            return (interactive ? .signInLogs : .nonInteractiveSignInLogs, nil)
        }
        if body.text(.servicePrincipalId) != nil, body.text(.userPrincipalName) == nil {
            return (.servicePrincipalSignInLogs, nil)
        }
        return (.signInLogs, "no table name, event type or isInteractive flag; read as an interactive sign-in (Graph's default)")
    }

    static func map<Body: RecordFields, Envelope: RecordFields>(_ body: Body, envelope: Envelope?, source: LogSource, shape: ExportShape, provenance: Provenance, into draft: inout EventDraft) throws(RecordRejection) {
        var notes: [String] = []
        let time = try EventDraft.eventTime(
            [(body.raw(.createdDateTime), "CreatedDateTime"), (body.raw(.timeGenerated), "TimeGenerated"), (envelope?.raw(.time), "time")], notes: &notes)
        draft = EventDraft(time: time, source: source, shape: shape, kind: .signIn, provenance: provenance)
        draft.notes = notes

        EventDraft.setGUID(&draft.recordId, body.field(.id))
        draft.requestId = draft.recordId
        EventDraft.setGUID(&draft.correlationId, body.field(.correlationId) ?? envelope?.field(.correlationId))
        draft.setSession(body.field(.sessionId), field: "SessionId")
        draft.setToken(body.field(.uniqueTokenIdentifier), field: "UniqueTokenIdentifier")

        EventDraft.setGUID(&draft.userId, body.field(.userId))
        draft.userPrincipalName = body.field(.userPrincipalName)?.lowercased()
        draft.userDisplayName = body.field(.userDisplayName)
        EventDraft.setGUID(&draft.servicePrincipalId, body.field(.servicePrincipalId))
        if draft.userDisplayName == nil { draft.userDisplayName = body.field(.servicePrincipalName) }
        EventDraft.setGUID(&draft.tenantId, body.field(.resourceTenantId, .homeTenantId, .aadTenantId) ?? envelope?.field(.tenantId))

        draft.setDevice(body.object(.deviceDetail, .deviceDetail_dynamic, .deviceDetail_string))
        draft.setIP(body.field(.ipAddress) ?? envelope?.field(.callerIpAddress), field: "IPAddress")
        draft.setASN(body[.autonomousSystemNumber])
        // `LocationDetails` (Log Analytics) or `location` (Graph, an object); the Log Analytics
        // `Location` column and the diagnostic envelope `location` are the country alone.
        // The first of them that holds structured data is read; an array there reads as no
        // location (it does not fall through to `location`).
        draft.setLocation((body.structured(.locationDetails, .locationDetails_dynamic, .locationDetails_string) ?? body.structured(.location))?.record)
        if draft.country == nil, let country = body[.location]?.text ?? envelope?.text(.location), country.utf8.count == 2 {
            draft.country = FieldText(country)
        }
        draft.userAgent = body.field(.userAgent)
        let locations = body.elements(.networkLocationDetails)
        if !locations.isEmpty {
            draft.trustedLocation = locations.contains { $0.text(.networkType)?.lowercased() == "trustednamedlocation" }
        }

        draft.appId = body.field(.appId).flatMap(IdentifierNormalizer.guidOrText)
        draft.appName = body.field(.appDisplayName)
        // Graph `resourceId` is the resource app; Log Analytics `ResourceId` is an ARM path and
        // `ResourceIdentity` is the resource app (schemas.md §2.2).
        let resource = body.field(.resourceIdentity) ?? body.field(.resourceId).flatMap { $0.string.hasPrefix("/") ? nil : $0 }
        draft.resource = resource.flatMap(IdentifierNormalizer.guidOrText)
        draft.resourceName = body.field(.resourceDisplayName)

        draft.interactive = body[.isInteractive]?.boolean ?? (source == .signInLogs)
        draft.incomingTokenType = body.field(.incomingTokenType).map(normaliseTokenType)
        draft.authProtocol = body.field(.authenticationProtocol)
        draft.originalTransferMethod = body.field(.originalTransferMethod)
        draft.clientAppUsed = body.field(.clientAppUsed)

        let status = body.object(.status, .status_dynamic, .status_string)
        let code = body.text(.resultType) ?? status?.text(.errorCode) ?? envelope?.text(.resultType)
        if let code {
            draft.resultCode = FieldText(code)
            draft.result = code == "0" ? "success" : "failure"
        }
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
