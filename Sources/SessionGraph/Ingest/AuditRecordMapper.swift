/// Maps unified audit log records (an `AuditData` object from a Purview export, the Management
/// Activity API, or a CloudAppEvents `RawEventData`) and Sentinel `OfficeActivity` rows to
/// ``Event``s (schemas.md §5).
enum AuditRecordMapper {
    /// RecordType 15, AzureActiveDirectoryStsLogon: a sign-in as the audit log sees it.
    static let stsLogonRecordType: Int64 = 15

    static func map<Audit: RecordFields>(_ audit: Audit, shape: ExportShape, provenance: Provenance) throws(RecordRejection) -> EventDraft {
        var notes: [String] = []
        let time = try EventBuilder.time([(audit["CreationTime"], "CreationTime")], notes: &notes)
        let isLogon = audit["RecordType"]?.integer == stsLogonRecordType
        var b = EventBuilder(time: time, source: .unifiedAuditLog, shape: shape, kind: isLogon ? .signIn : .action, provenance: provenance)
        b.event.notes = notes
        fill(&b, from: audit)
        return b.event
    }

    /// Fills identity, identifiers, network and operation from an AuditData object. Shared with
    /// CloudAppEvents, whose `RawEventData` is the same object for Microsoft 365 workloads.
    static func fill<Audit: RecordFields>(_ b: inout EventBuilder, from audit: Audit) {
        b.setGUID(\.recordId, audit.text("Id"))
        b.event.workload = b.event.workload ?? audit.text("Workload")
        let operation = audit.text("Operation")
        b.event.operation = b.event.operation ?? operation

        if let user = audit.text("UserId") {
            if user.contains("@") { b.event.userPrincipalName = b.event.userPrincipalName ?? user.lowercased() } else { b.event.userDisplayName = b.event.userDisplayName ?? user }
        }
        b.setGUID(\.userId, audit.text("TokenObjectId"))
        b.setGUID(\.tenantId, audit.text("TokenTenantId", "OrganizationId"))

        // The session id: AppAccessContext first, then Exchange's top-level SessionId, then the
        // STS logon's device properties (schemas.md §1, §5.3, §5.4).
        let context = audit.nested("AppAccessContext")
        b.setSession(context?.text("AADSessionId"), field: "AppAccessContext.AADSessionId")
        if let exchangeSid = audit.text("SessionId") {
            b.setSession(exchangeSid, field: "SessionId")
        }
        b.setSession(audit.nested("DeviceProperties")?.namedValue("SessionId"), field: "DeviceProperties.SessionId")
        b.setToken(context?.text("UniqueTokenId"), field: "AppAccessContext.UniqueTokenId")
        b.setIssuedAt(context?["IssuedAtTime"], field: "AppAccessContext.IssuedAtTime")
        b.setIssuedAt(context?["TokenIssuedAtTime"], field: "AppAccessContext.TokenIssuedAtTime")
        b.setGUID(\.correlationId, audit.text("InterSystemsId", "CorrelationId") ?? context?.text("CorrelationId"))
        b.setGUID(\.deviceId, audit.text("DeviceId"))

        // SharePoint writes the client IP into DeviceDisplayName (schemas.md §5.7).
        let displayIP = audit.text("DeviceDisplayName").flatMap { value -> String? in
            if case .success = IdentifierNormalizer.ipAddress(value) { return value }
            return nil
        }
        b.setIP(audit.text("ClientIP", "ClientIPAddress", "ActorIpAddress") ?? displayIP, field: "ClientIP")

        let extended = audit.nested("ExtendedProperties")
        b.event.userAgent = b.event.userAgent ?? audit.text("UserAgent") ?? extended?.namedValue("UserAgent") ?? audit.text("ClientInfoString")
        // The client app: Exchange puts itself in `AppId` and the client in `ClientAppId`.
        b.event.appId = b.event.appId ?? (audit.text("ClientAppId") ?? context?.text("ClientAppId") ?? audit.text("AppId", "ApplicationId")).flatMap(IdentifierNormalizer.guidOrText)
        b.event.appName = b.event.appName ?? context?.text("ClientAppName")
        if let devices = audit.nested("DeviceProperties") {
            b.event.operatingSystem = b.event.operatingSystem ?? devices.namedValue("OS")
            b.event.browser = b.event.browser ?? devices.namedValue("BrowserType")
        }

        if audit["RecordType"]?.integer == stsLogonRecordType {
            // A sign-in: Id is the Entra request id; ObjectId is the resource app.
            b.event.requestId = b.event.recordId
            b.event.resource = audit.text("ObjectId").flatMap(IdentifierNormalizer.guidOrText)
            let requestType = extended?.namedValue("RequestType")
            b.event.authProtocol = requestType
            // The token endpoint is a non-interactive redemption; every other STS request type
            // (login, KMSI, authorize, reprocess) is an interactive browser sign-in.
            b.event.interactive = !(requestType?.lowercased().hasSuffix(":token") ?? false)
            b.event.result = operation == "UserLoginFailed" ? "failure" : "success"
            b.event.resultCode = audit.text("ErrorNumber")
            b.event.userAgent = extended?.namedValue("UserAgent") ?? b.event.userAgent
        } else {
            b.event.parameters = parameters(audit)
            if let count = audit["OperationCount"]?.integer, count > 0 {
                b.event.itemCount = Int(clamping: count)
            } else if let folders = audit.nested("Folders")?.elements, !folders.isEmpty {
                b.event.itemCount = folders.reduce(0) { $0 + ($1.nested("FolderItems")?.elements.count ?? 0) }
            }
            b.event.operationDetail = b.event.operationDetail ?? parameterSummary(audit)
            if let status = audit.text("ResultStatus") {
                b.event.result = ["true", "succeeded", "success", "partiallysucceeded"].contains(status.lowercased()) ? "success" : (status.lowercased() == "failed" || status.lowercased() == "false" ? "failure" : status)
            }
        }
    }

    /// The `{Name, Value}` pairs of an admin cmdlet's `Parameters` or a client rule's
    /// `OperationProperties`.
    static func parameters<Audit: RecordFields>(_ audit: Audit) -> [NameValue] {
        for key in ["Parameters", "OperationProperties"] {
            let pairs = audit.nested(key)?.elements.compactMap { item -> NameValue? in
                guard let name = item.text("Name") else { return nil }
                return NameValue(name: name, value: item["Value"]?.text ?? "")
            } ?? []
            if !pairs.isEmpty { return pairs }
        }
        return []
    }

    /// `Name=Value` pairs of the parameters, or the file/item the action touched.
    static func parameterSummary<Audit: RecordFields>(_ audit: Audit) -> String? {
        let pairs = parameters(audit)
        if !pairs.isEmpty { return pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "; ") }
        if let file = audit.text("SourceFileName") ?? audit.text("ObjectId") { return file }
        return nil
    }

    /// A Sentinel `OfficeActivity` row: flattened columns, no linkable identifiers
    /// (schemas.md §5.2), so it links only by user and time.
    static func mapOfficeActivity<Row: RecordFields>(_ row: Row, shape: ExportShape, provenance: Provenance) throws(RecordRejection) -> EventDraft {
        var notes: [String] = []
        let time = try EventBuilder.time([(row["TimeGenerated"], "TimeGenerated"), (row["Start_Time"], "Start_Time"), (row["CreationTime"], "CreationTime")], notes: &notes)
        var b = EventBuilder(time: time, source: .officeActivity, shape: shape, kind: .action, provenance: provenance)
        b.event.notes = notes
        b.setGUID(\.recordId, row.text("OfficeId", "Id"))
        b.event.workload = row.text("OfficeWorkload")
        b.event.operation = row.text("Operation")
        if let user = row.text("UserId") { b.event.userPrincipalName = user.lowercased() }
        b.setGUID(\.tenantId, row.text("OrganizationId", "OfficeTenantId"))
        b.setIP(row.text("ClientIP", "Client_IPAddress"), field: "ClientIP")
        b.event.userAgent = row.text("UserAgent")
        b.event.operationDetail = parameterSummary(row)
        if let status = row.text("ResultStatus") { b.event.result = status }
        b.note("OfficeActivity has no session or token id column; this record links by user and time only")
        return b.event
    }
}
