/// Maps unified audit log records (an `AuditData` object from a Purview export, the Management
/// Activity API, or a CloudAppEvents `RawEventData`) and Sentinel `OfficeActivity` rows to
/// ``Event``s (schemas.md §5).
enum AuditRecordMapper {
    /// RecordType 15, AzureActiveDirectoryStsLogon: a sign-in as the audit log sees it.
    static let stsLogonRecordType: Int64 = 15

    static func map<Audit: RecordFields>(_ audit: Audit, shape: ExportShape, provenance: Provenance, into draft: inout EventDraft) throws(RecordRejection) {
        var notes: [String] = []
        let time = try EventDraft.eventTime([(audit.raw(.creationTime), "CreationTime")], notes: &notes)
        let isLogon = audit[.recordType]?.integer == stsLogonRecordType
        draft = EventDraft(time: time, source: .unifiedAuditLog, shape: shape, kind: isLogon ? .signIn : .action, provenance: provenance)
        draft.notes = notes
        fill(&draft, from: audit)
    }

    /// Fills identity, identifiers, network and operation from an AuditData object. Shared with
    /// CloudAppEvents, whose `RawEventData` is the same object for Microsoft 365 workloads.
    static func fill<Audit: RecordFields>(_ draft: inout EventDraft, from audit: Audit) {
        EventDraft.setGUID(&draft.recordId, audit.field(.id))
        draft.workload = draft.workload ?? audit.field(.workload)
        let operation = audit.field(.operation)
        draft.operation = draft.operation ?? operation

        if let user = audit.field(.userId) {
            if user.contains("@") { draft.userPrincipalName = draft.userPrincipalName ?? user.lowercased() } else { draft.userDisplayName = draft.userDisplayName ?? user }
        }
        EventDraft.setGUID(&draft.userId, audit.field(.tokenObjectId))
        EventDraft.setGUID(&draft.tenantId, audit.field(.tokenTenantId, .organizationId))

        // The session id: AppAccessContext first, then Exchange's top-level SessionId, then the
        // STS logon's device properties (schemas.md §1, §5.3, §5.4).
        let context = audit.object(.appAccessContext)
        draft.setSession(context?.field(.aadSessionId), field: "AppAccessContext.AADSessionId")
        if let exchangeSid = audit.field(.sessionId) {
            draft.setSession(exchangeSid, field: "SessionId")
        }
        let devices = audit.elements(.deviceProperties)
        draft.setSession(devices.namedValue("SessionId").map(FieldText.text), field: "DeviceProperties.SessionId")
        draft.setToken(context?.field(.uniqueTokenId), field: "AppAccessContext.UniqueTokenId")
        draft.setIssuedAt(context?.raw(.issuedAtTime), field: "AppAccessContext.IssuedAtTime")
        draft.setIssuedAt(context?.raw(.tokenIssuedAtTime), field: "AppAccessContext.TokenIssuedAtTime")
        EventDraft.setGUID(&draft.correlationId, audit.field(.interSystemsId, .correlationId) ?? context?.field(.correlationId))
        EventDraft.setGUID(&draft.deviceId, audit.field(.deviceId))

        // SharePoint writes the client IP into DeviceDisplayName (schemas.md §5.7).
        let displayIP = audit.text(.deviceDisplayName).flatMap { value -> FieldText? in
            if case .success = IdentifierNormalizer.ipAddress(value) { return FieldText(value) }
            return nil
        }
        draft.setIP(audit.field(.clientIP, .clientIPAddress, .actorIpAddress) ?? displayIP, field: "ClientIP")

        let extended = audit.elements(.extendedProperties)
        draft.userAgent = draft.userAgent ?? audit.field(.userAgent) ?? extended.namedValue("UserAgent").map(FieldText.text) ?? audit.field(.clientInfoString)
        // The client app: Exchange puts itself in `AppId` and the client in `ClientAppId`.
        draft.appId = draft.appId ?? (audit.field(.clientAppId) ?? context?.field(.clientAppId) ?? audit.field(.appId, .applicationId)).flatMap(IdentifierNormalizer.guidOrText)
        draft.appName = draft.appName ?? context?.field(.clientAppName)
        draft.operatingSystem = draft.operatingSystem ?? devices.namedValue("OS").map(FieldText.text)
        draft.browser = draft.browser ?? devices.namedValue("BrowserType").map(FieldText.text)

        if audit[.recordType]?.integer == stsLogonRecordType {
            // A sign-in: Id is the Entra request id; ObjectId is the resource app.
            draft.requestId = draft.recordId
            draft.resource = audit.field(.objectId).flatMap(IdentifierNormalizer.guidOrText)
            let requestType = extended.namedValue("RequestType")
            draft.authProtocol = requestType.map(FieldText.text)
            // The token endpoint is a non-interactive redemption; every other STS request type
            // (login, KMSI, authorize, reprocess) is an interactive browser sign-in.
            draft.interactive = !(requestType?.lowercased().hasSuffix(":token") ?? false)
            draft.result = operation?.sameBytes(as: "UserLoginFailed") == true ? "failure" : "success"
            draft.resultCode = audit.field(.errorNumber)
            draft.userAgent = extended.namedValue("UserAgent").map(FieldText.text) ?? draft.userAgent
        } else {
            let pairs = parameters(audit)
            draft.parameters = pairs
            if let count = audit[.operationCount]?.integer, count > 0 {
                draft.itemCount = Int(clamping: count)
            } else {
                let folders = audit.elements(.folders)
                if !folders.isEmpty { draft.itemCount = folders.reduce(0) { $0 + $1.elements(.folderItems).count } }
            }
            draft.operationDetail = draft.operationDetail ?? parameterSummary(audit, pairs: pairs)
            if let status = audit.text(.resultStatus) {
                draft.result = ["true", "succeeded", "success", "partiallysucceeded"].contains(status.lowercased()) ? "success" : (status.lowercased() == "failed" || status.lowercased() == "false" ? "failure" : FieldText(status))
            }
        }
    }

    static let parameterKeys: [FieldKey] = [.parameters, .operationProperties]

    /// The `{Name, Value}` pairs of an admin cmdlet's `Parameters` or a client rule's
    /// `OperationProperties`.
    static func parameters<Audit: RecordFields>(_ audit: Audit) -> [NameValue] {
        for key in parameterKeys {
            let pairs = audit.elements(key).compactMap { item -> NameValue? in
                guard let name = item.text(.name) else { return nil }
                return NameValue(name: name, value: item[.value]?.text ?? "")
            }
            if !pairs.isEmpty { return pairs }
        }
        return []
    }

    /// `Name=Value` pairs of the parameters, or the file/item the action touched.
    static func parameterSummary<Audit: RecordFields>(_ audit: Audit, pairs: [NameValue]) -> String? {
        if !pairs.isEmpty { return pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "; ") }
        if let file = audit.text(.sourceFileName) ?? audit.text(.objectId) { return file }
        return nil
    }

    /// A Sentinel `OfficeActivity` row: flattened columns, no linkable identifiers
    /// (schemas.md §5.2), so it links only by user and time.
    static func mapOfficeActivity<Row: RecordFields>(_ row: Row, shape: ExportShape, provenance: Provenance, into draft: inout EventDraft) throws(RecordRejection) {
        var notes: [String] = []
        let time = try EventDraft.eventTime([(row.raw(.timeGenerated), "TimeGenerated"), (row.raw(.start_Time), "Start_Time"), (row.raw(.creationTime), "CreationTime")], notes: &notes)
        draft = EventDraft(time: time, source: .officeActivity, shape: shape, kind: .action, provenance: provenance)
        draft.notes = notes
        EventDraft.setGUID(&draft.recordId, row.field(.officeId, .id))
        draft.workload = row.field(.officeWorkload)
        draft.operation = row.field(.operation)
        if let user = row.field(.userId) { draft.userPrincipalName = user.lowercased() }
        EventDraft.setGUID(&draft.tenantId, row.field(.organizationId, .officeTenantId))
        draft.setIP(row.field(.clientIP, .client_IPAddress), field: "ClientIP")
        draft.userAgent = row.field(.userAgent)
        draft.operationDetail = parameterSummary(row, pairs: parameters(row))
        if let status = row.field(.resultStatus) { draft.result = status }
        draft.note("OfficeActivity has no session or token id column; this record links by user and time only")
    }
}
