import Foundation

/// Graph activity, unified audit and CloudAppEvents records in their export spellings.

extension ByteBuffer {
    /// `MicrosoftGraphActivityLogs` Log Analytics row.
    mutating func graphLogAnalytics(_ c: GraphCall, tenant: Tenant) {
        raw("{\"TenantId\":"); quotedGUID(tenant.workspaceId)
        next("TimeGenerated"); quotedTime(c.time, .iso7Z)
        next("Location"); str(c.region)
        next("RequestId"); quotedGUID(c.requestId)
        next("OperationId"); quotedGUID(c.requestId)
        next("ClientRequestId"); quotedGUID(c.clientRequestId)
        next("ApiVersion"); str(c.apiVersion)
        next("RequestMethod"); str(c.method)
        next("ResponseStatusCode"); int(c.status)
        next("IPAddress"); str(c.ip)
        next("UserAgent"); str(c.userAgent)
        next("RequestUri"); str(c.uri)
        next("DurationMs"); int(c.durationMs)
        next("ResponseSizeBytes"); int(c.responseSize)
        next("SignInActivityId"); str(c.uti)
        next("Roles"); str(c.roles)
        next("TokenIssuedAt"); quotedTime(c.tokenIssuedAt, .iso7Z)
        next("AppId"); str(c.appId)
        switch c.principal {
        case .user(let i):
            next("UserId"); quotedGUID(tenant.users[i].objectId)
            raw(",\"ServicePrincipalId\":\"\"")
            next("Scopes"); str(c.scopes)
            raw(",\"ClientAuthMethod\":0,\"Wids\":\"b79fbf4d-3ef9-4689-8143-76b194e85509\"")
        case .servicePrincipal(let i):
            raw(",\"UserId\":\"\"")
            next("ServicePrincipalId"); quotedGUID(tenant.servicePrincipals[i].objectId)
            raw(",\"Scopes\":\"\"")
            raw(tenant.servicePrincipals[i].credentialType == "clientSecret" ? ",\"ClientAuthMethod\":1" : ",\"ClientAuthMethod\":2")
            raw(",\"Wids\":\"0997a1d0-0d1d-4acb-b408-d5ca73121e90\"")
        }
        next("IdentityProvider"); str(tenant.identityProvider)
        next("AadTenantId"); quotedGUID(tenant.tenantId)
        next("SessionId"); quotedGUIDOrEmpty(c.sessionId)
        next("DeviceId"); quotedGUIDOrEmpty(c.deviceId)
        raw(",\"SourceSystem\":\"Azure AD\",\"Type\":\"MicrosoftGraphActivityLogs\"}")
    }

    /// `MicrosoftGraphActivityLogs` diagnostic-settings record.
    /// `redelivery` > 0 renders an at-least-once re-delivery: same properties, later envelope time.
    mutating func graphDiagnostic(_ c: GraphCall, tenant: Tenant, redelivery: Micros = 0) {
        raw("{\"time\":"); quotedTime(c.time + redelivery, .iso7Z)
        raw(",\"resourceId\":\"/TENANTS/"); raw(tenant.tenantId.upper); raw("/PROVIDERS/MICROSOFT.AADIAM\"")
        raw(",\"operationName\":\"Microsoft Graph Activity\",\"operationVersion\":"); str(c.apiVersion)
        raw(",\"category\":\"MicrosoftGraphActivityLogs\",\"resultSignature\":\""); int(c.status)
        raw("\",\"durationMs\":\""); int(c.durationMs)
        raw("\",\"callerIpAddress\":"); str(c.ip)
        next("correlationId"); quotedGUID(c.requestId)
        raw(",\"level\":\"Informational\",\"location\":"); str(c.region)
        raw(",\"properties\":{\"timeGenerated\":"); quotedTime(c.time, .iso7Z)
        next("location"); str(c.region)
        next("requestId"); quotedGUID(c.requestId)
        next("operationId"); quotedGUID(c.requestId)
        next("clientRequestId"); quotedGUID(c.clientRequestId)
        next("apiVersion"); str(c.apiVersion)
        next("requestMethod"); str(c.method)
        next("responseStatusCode"); int(c.status)
        next("tenantId"); quotedGUID(tenant.tenantId)
        next("durationMs"); int(c.durationMs)
        next("responseSizeBytes"); int(c.responseSize)
        next("signInActivityId"); str(c.uti)
        next("roles"); str(c.roles)
        next("appId"); str(c.appId)
        switch c.principal {
        case .user(let i):
            let oid = tenant.users[i].objectId
            next("UserPrincipalObjectID"); quotedGUID(oid)
            next("scopes"); str(c.scopes)
            next("identityProvider"); str(tenant.identityProvider)
            raw(",\"clientAuthMethod\":\"0\",\"wids\":\"b79fbf4d-3ef9-4689-8143-76b194e85509\",\"isReplay\":false,\"C_Idtyp\":\"user\"")
            next("C_Iat"); byte(0x22); uint(UInt64(c.tokenIssuedAt / Time.second)); byte(0x22)
            next("C_Sid"); quotedGUIDOrEmpty(c.sessionId)
            next("C_DeviceId"); quotedGUIDOrEmpty(c.deviceId)
            next("ipAddress"); str(c.ip)
            next("userAgent"); str(c.userAgent)
            next("requestUri"); str(c.uri)
            next("userId"); quotedGUID(oid)
        case .servicePrincipal(let i):
            let sp = tenant.servicePrincipals[i]
            next("UserPrincipalObjectID"); quotedGUID(sp.objectId)
            raw(",\"scopes\":\"\"")
            next("identityProvider"); str(tenant.identityProvider)
            raw(sp.credentialType == "clientSecret" ? ",\"clientAuthMethod\":\"1\"" : ",\"clientAuthMethod\":\"2\"")
            raw(",\"wids\":\"0997a1d0-0d1d-4acb-b408-d5ca73121e90\",\"isReplay\":false,\"C_Idtyp\":\"app\"")
            next("C_Iat"); byte(0x22); uint(UInt64(c.tokenIssuedAt / Time.second)); byte(0x22)
            next("ipAddress"); str(c.ip)
            next("userAgent"); str(c.userAgent)
            next("requestUri"); str(c.uri)
            next("servicePrincipalId"); quotedGUID(sp.objectId)
        }
        next("tokenIssuedAt"); quotedTime(c.tokenIssuedAt, .iso7Z)
        raw("},\"tenantId\":"); quotedGUID(tenant.tenantId)
        byte(0x7D)
    }

    private mutating func appAccessContext(_ a: AuditRecord) {
        switch a.contextStyle {
        case .none:
            return
        case .systemEmpty:
            raw(",\"AppAccessContext\":{\"UniqueTokenId\":\"\"}")
            return
        default:
            break
        }
        guard let t = a.token else { return }
        raw(",\"AppAccessContext\":{")
        switch a.contextStyle {
        case .exchange:
            raw("\"AADSessionId\":"); quotedGUIDOrEmpty(t.sessionId)
            raw(",\"APIId\":\"\",\"ClientAppId\":"); str(t.app.id)
            next("IssuedAtTime"); quotedTime(t.issuedAt, .isoSecondsNoZone)
            next("UniqueTokenId"); str(t.uti)
        case .exchangeLegacy:
            raw("\"IssuedAtTime\":"); quotedTime(t.issuedAt, .isoSecondsNoZone)
            next("UniqueTokenId"); str(t.uti)
        case .sharePoint:
            raw("\"AADSessionId\":"); quotedGUIDOrEmpty(t.sessionId)
            next("ClientAppId"); str(t.app.id)
            next("ClientAppName"); str(t.app.name)
            next("CorrelationId"); quotedGUID(a.correlationId)
            next("TokenIssuedAtTime"); quotedTime(t.issuedAt, .isoSecondsNoZone)
            next("UniqueTokenId"); str(t.uti)
        case .teams:
            raw("\"AADSessionId\":"); quotedGUIDOrEmpty(t.sessionId)
            next("IssuedAtTime"); quotedTime(t.issuedAt, .isoSecondsNoZone)
            next("UniqueTokenId"); str(t.uti)
        case .none, .systemEmpty:
            break
        }
        byte(0x7D)
    }

    /// A unified audit `AuditData` object. `zoned` writes `CreationTime` with `Z`, as
    /// CloudAppEvents' `RawEventData` does.
    mutating func auditData(_ a: AuditRecord, tenant: Tenant, zoned: Bool) {
        let user = tenant.users[a.userIndex]
        let systemUser = "NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)"
        raw("{\"CreationTime\":"); quotedTime(a.time, zoned ? .isoSecondsZ : .isoSecondsNoZone)
        next("Id"); quotedGUID(a.id)
        next("Operation"); str(a.operation)
        next("OrganizationId"); quotedGUID(tenant.tenantId)
        next("RecordType"); int(a.recordType)
        next("ResultStatus")
        switch a.body {
        case .newInboxRule, .setMailbox: raw("\"True\"")
        case .addDevice: raw("\"Success\"")
        default: raw("\"Succeeded\"")
        }
        next("UserKey")
        switch a.body {
        case .file: str("i:0h.f|membership|\(user.puid.lowercased())@live.com")
        case .setMailbox: str(systemUser)
        case .teams, .addDevice: quotedGUID(user.objectId)
        default: str(user.puid)
        }
        next("UserType"); int(a.system ? 3 : 0)
        raw(",\"Version\":1,\"Workload\":"); str(a.workload)
        if let ip = a.clientIP { next("ClientIP"); str(ip) }
        next("UserId")
        switch a.body {
        case .file: str(user.upn)
        case .setMailbox: str(systemUser)
        default: str(user.upnOriginal)
        }
        let mailboxPath = "ZR0P278MB0\(user.index % 900 + 100).CHEP278.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/\(tenant.onMicrosoft)/\(user.objectId.string)"
        switch a.body {
        case .mailItemsAccessed(let accessType, let folder, let items, let clientInfo):
            let t = a.token
            raw(",\"AppId\":\"00000002-0000-0ff1-ce00-000000000000\",\"ClientAppId\":"); str(t?.app.id ?? "")
            if let ip = a.clientIP { next("ClientIPAddress"); str(ip) }
            next("ClientInfoString"); str(clientInfo)
            raw(",\"ExternalAccess\":false,\"InternalLogonType\":0,\"LogonType\":0,\"LogonUserSid\":"); str("S-1-5-21-3211458617-1021\(user.index)")
            next("MailboxGuid"); quotedGUID(user.mailboxGuid)
            next("MailboxOwnerSid"); str("S-1-5-21-3211458617-1021\(user.index)")
            next("MailboxOwnerUPN"); str(user.upnOriginal)
            raw(",\"OperationProperties\":[{\"Name\":\"MailAccessType\",\"Value\":"); str(accessType)
            raw("},{\"Name\":\"IsThrottled\",\"Value\":\"False\"}]")
            next("OrganizationName"); str(tenant.onMicrosoft)
            raw(",\"OriginatingServer\":\"ZR0P278MB0512 (15.20.7362.019)\\r\\n\"")
            next("TokenObjectId"); quotedGUID(user.objectId)
            next("TokenTenantId"); quotedGUID(tenant.tenantId)
            raw(",\"TokenType\":\"V1AppActAs\",\"Folders\":[{")
            if accessType == "Bind" {
                raw("\"FolderItems\":[")
                for i in 0..<items {
                    if i > 0 { byte(0x2C) }
                    raw("{\"InternetMessageId\":\"<ZR0P278MB0")
                    uint(UInt64(a.id.lo >> 40) &+ UInt64(i))
                    raw("@ZR0P278MB0512.CHEP278.PROD.OUTLOOK.COM>\",\"SizeInBytes\":")
                    uint(UInt64(4000 + (a.id.hi >> UInt64(i % 48) & 0xFFFF)))
                    byte(0x7D)
                }
                raw("],")
            }
            raw("\"Id\":\"LgAAAAD"); raw(String(user.mailboxGuid.string.prefix(8))); raw("AQCxmw0Q8U\"")
            next("Path"); str(folder)
            raw("}],\"OperationCount\":"); int(items)
        case .send(let subject):
            raw(",\"AppId\":\"00000002-0000-0ff1-ce00-000000000000\",\"ClientAppId\":"); str(a.token?.app.id ?? "")
            if let ip = a.clientIP { next("ClientIPAddress"); str(ip) }
            next("ClientInfoString"); str("Client=MSExchangeRPC")
            raw(",\"ExternalAccess\":false,\"InternalLogonType\":0,\"LogonType\":0")
            next("MailboxGuid"); quotedGUID(user.mailboxGuid)
            next("MailboxOwnerUPN"); str(user.upnOriginal)
            next("OrganizationName"); str(tenant.onMicrosoft)
            raw(",\"OriginatingServer\":\"ZR0P278MB0512 (15.20.7362.019)\\r\\n\"")
            next("TokenObjectId"); quotedGUID(user.objectId)
            next("TokenTenantId"); quotedGUID(tenant.tenantId)
            raw(",\"Item\":{\"Id\":\"RgAAAAD"); raw(String(a.id.string.prefix(8))); raw("BwCxmw0Q8U\",\"InternetMessageId\":\"<ZR0P278MB0")
            uint(a.id.lo >> 36)
            raw("@ZR0P278MB0512.CHEP278.PROD.OUTLOOK.COM>\",\"ParentFolder\":{\"Id\":\"LgAAAADSent\",\"Path\":\"\\\\Sent Items\"},\"SizeInBytes\":")
            uint(12_000 + (a.id.hi & 0xFFFF))
            next("Subject"); str(subject)
            byte(0x7D)
        case .newInboxRule(let name, let parameters):
            next("ObjectId"); str("\(mailboxPath)\\\(name)")
            raw(",\"AppId\":\"00000002-0000-0ff1-ce00-000000000000\",\"ClientAppId\":\"\",\"ExternalAccess\":false")
            next("OrganizationName"); str(tenant.onMicrosoft)
            raw(",\"OriginatingServer\":\"ZR0P278MB0512 (15.20.7362.019)\",\"Parameters\":[")
            for (i, (key, value)) in parameters.enumerated() {
                if i > 0 { byte(0x2C) }
                raw("{\"Name\":"); str(key); raw(",\"Value\":"); str(value); byte(0x7D)
            }
            byte(0x5D)
            if let sid = a.token?.sessionId { next("SessionId"); quotedGUID(sid) }
        case .setMailbox:
            next("ObjectId"); str(mailboxPath)
            raw(",\"ExternalAccess\":true")
            next("OrganizationName"); str(tenant.onMicrosoft)
            raw(",\"OriginatingServer\":\"ZR0P278MB0512 (15.20.7362.019)\",\"Parameters\":[{\"Name\":\"Identity\",\"Value\":")
            quotedGUID(user.objectId)
            raw("},{\"Name\":\"RetainDeletedItemsFor\",\"Value\":\"30.00:00:00\"}]")
        case .file(let workload, let siteUrl, let relativeUrl, let fileName, let ext, let userAgent, let managed):
            next("ApplicationId"); str(a.token?.app.id ?? "")
            raw(",\"AuthenticationType\":\"OAuth\",\"BrowserName\":\"\",\"BrowserVersion\":\"\",\"CorrelationId\":"); quotedGUID(a.correlationId)
            raw(",\"EventSource\":\"SharePoint\",\"IsManagedDevice\":"); bool(managed)
            raw(",\"ItemType\":\"File\",\"ListId\":"); quotedGUID(GUID(hi: user.objectId.lo, lo: user.objectId.hi))
            next("ListItemUniqueId"); quotedGUID(GUID(hi: a.id.lo, lo: a.id.hi))
            next("Platform"); str(userAgent.contains("Windows") ? "WinDesktop" : (userAgent.contains("Mac") ? "MacDesktop" : "Mobile"))
            next("Site"); quotedGUID(GUID(hi: user.mailboxGuid.lo, lo: tenant.tenantId.hi))
            next("UserAgent"); str(userAgent)
            next("WebId"); quotedGUID(GUID(hi: tenant.tenantId.lo, lo: user.mailboxGuid.hi))
            if let ip = a.clientIP { next("DeviceDisplayName"); str(ip) }
            next("SourceFileExtension"); str(ext)
            next("SiteUrl"); str(siteUrl)
            next("SourceRelativeUrl"); str(relativeUrl)
            next("SourceFileName"); str(fileName)
            next("ObjectId"); str("\(siteUrl)\(relativeUrl)/\(fileName)")
            _ = workload
        case .teams(let chatThread, let communicationType, let messageId):
            next("ChatThreadId"); str(chatThread)
            next("CommunicationType"); str(communicationType)
            next("MessageId"); str(messageId)
            raw(",\"ParticipantInfo\":{\"HasForeignTenantUsers\":false,\"HasGuestUsers\":false,\"HasOtherGuestUsers\":false,\"HasUnauthenticatedUsers\":false,\"ParticipatingDomains\":[],\"ParticipatingSIPDomains\":[],\"ParticipatingTenantIds\":[")
            quotedGUID(tenant.tenantId)
            raw("]}")
        case .addDevice(let deviceObjectId, let deviceId, let displayName, let osVersion, let requestId):
            next("ObjectId"); quotedGUID(deviceObjectId)
            raw(",\"AzureActiveDirectoryEventType\":1,\"ExtendedProperties\":[{\"Name\":\"additionalDetails\",\"Value\":\"{\\\"DeviceId\\\":\\\"")
            guid(deviceId)
            raw("\\\",\\\"DeviceOSType\\\":\\\"Windows\\\"}\"},{\"Name\":\"extendedAuditEventCategory\",\"Value\":\"Device\"}]")
            raw(",\"ModifiedProperties\":[{\"Name\":\"DisplayName\",\"NewValue\":\"[\\r\\n  \\\""); escaped(displayName)
            raw("\\\"\\r\\n]\",\"OldValue\":\"[]\"},{\"Name\":\"DeviceOSVersion\",\"NewValue\":\"[\\r\\n  \\\""); escaped(osVersion)
            raw("\\\"\\r\\n]\",\"OldValue\":\"[]\"},{\"Name\":\"DeviceTrustType\",\"NewValue\":\"[\\r\\n  \\\"Workplace\\\"\\r\\n]\",\"OldValue\":\"[]\"}]")
            raw(",\"Actor\":[{\"ID\":"); str(user.upnOriginal); raw(",\"Type\":5},{\"ID\":"); quotedGUID(user.objectId)
            raw(",\"Type\":3}],\"ActorContextId\":"); quotedGUID(tenant.tenantId)
            if let ip = a.clientIP { next("ActorIpAddress"); str(ip) }
            next("InterSystemsId"); quotedGUID(a.correlationId)
            next("IntraSystemId"); quotedGUID(requestId)
            raw(",\"Target\":[{\"ID\":\"Device_"); guid(deviceObjectId); raw("\",\"Type\":2},{\"ID\":"); str(displayName)
            raw(",\"Type\":1}],\"TargetContextId\":"); quotedGUID(tenant.tenantId)
        }
        appAccessContext(a)
        byte(0x7D)
    }

    /// A Sentinel `CloudAppEvents` row (Log Analytics), `RawEventData` as an object.
    mutating func cloudAppLogAnalytics(_ e: CloudAppEvent, tenant: Tenant, compact: Bool = false) {
        let user = tenant.users[e.audit.userIndex]
        if compact {
            raw("{\"TimeGenerated\":"); quotedTime(e.audit.time + e.lag, .iso7Z)
        } else {
            raw("{\"TenantId\":"); quotedGUID(tenant.workspaceId)
            next("TimeGenerated"); quotedTime(e.audit.time + e.lag, .iso7Z)
        }
        next("Timestamp"); quotedTime(e.audit.time, .iso7Z)
        next("ActionType"); str(e.audit.operation)
        next("Application"); str(e.application)
        next("ApplicationId"); int(e.applicationId)
        raw(",\"AppInstanceId\":0,\"AccountObjectId\":"); quotedGUID(user.objectId)
        next("AccountId"); quotedGUID(user.objectId)
        next("AccountDisplayName"); str(user.displayName)
        raw(",\"IsAdminOperation\":false,\"DeviceType\":\"\",\"OSPlatform\":\"\",\"IPAddress\":"); str(e.ip)
        raw(",\"IsAnonymousProxy\":false,\"CountryCode\":"); str(e.network.country)
        next("City"); str(e.network.city)
        next("Isp"); str(e.network.isp)
        next("UserAgent"); str(e.userAgent)
        raw(",\"ActivityType\":\"Basic\"")
        if !compact {
            raw(",\"ActivityObjects\":[{\"Type\":\"User\",\"Role\":\"Actor\",\"Name\":"); str(user.displayName)
            raw(",\"Id\":"); quotedGUID(user.objectId); raw("}]")
        }
        next("ObjectName"); str(e.objectName)
        raw(",\"ObjectType\":\"\",\"ObjectId\":\"\",\"ReportId\":"); str(e.reportId)
        if !compact { raw(",\"AccountType\":\"Regular\",\"IsExternalUser\":false,\"IsImpersonated\":false,\"IPTags\":[],\"IPCategory\":\"\",\"UserAgentTags\":[]") }
        raw(",\"RawEventData\":"); auditData(e.audit, tenant: tenant, zoned: true)
        raw(compact ? ",\"OAuthAppId\":" : ",\"AdditionalFields\":{},\"AuditSource\":\"Defender for Cloud Apps app connector\",\"SessionData\":{},\"OAuthAppId\":")
        str(e.audit.token?.app.id ?? "")
        raw(compact ? ",\"Type\":\"CloudAppEvents\"}" : ",\"SourceSystem\":\"\",\"Type\":\"CloudAppEvents\"}")
    }
}
