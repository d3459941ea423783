import Foundation

/// Sign-in rows in their three spellings: Log Analytics (PascalCase columns), the Graph
/// `signIn` object (camelCase, used by diagnostic settings and the Graph API), and the
/// diagnostic-settings envelope around it.

struct Identity {
    var upn: String
    var displayName: String
    var userId: GUID?
    var spId: GUID?
    var spName: String
    var spKeyId: GUID?
    var spThumbprint: String

    init(_ principal: Principal, tenant: Tenant) {
        switch principal {
        case .user(let i):
            let u = tenant.users[i]
            upn = u.upn
            displayName = u.displayName
            userId = u.objectId
            spId = nil
            spName = ""
            spKeyId = nil
            spThumbprint = ""
        case .servicePrincipal(let i):
            let s = tenant.servicePrincipals[i]
            upn = ""
            displayName = ""
            userId = nil
            spId = s.objectId
            spName = s.name
            spKeyId = s.credentialKeyId
            spThumbprint = s.thumbprint
        }
    }
}

extension ByteBuffer {
    mutating func deviceDetailObject(_ d: DeviceDetail) {
        raw("{\"deviceId\":")
        quotedGUIDOrEmpty(d.id)
        next("displayName"); str(d.displayName)
        next("operatingSystem"); str(d.operatingSystem)
        next("browser"); str(d.browser)
        if let c = d.isCompliant { next("isCompliant"); bool(c) }
        if let m = d.isManaged { next("isManaged"); bool(m) }
        next("trustType"); str(d.trustType)
        byte(0x7D)
    }

    mutating func locationObject(_ n: Network) {
        raw("{\"city\":"); str(n.city)
        next("state"); str(n.state)
        next("countryOrRegion"); str(n.country)
        raw(",\"geoCoordinates\":{\"latitude\":"); decimal(n.latitude)
        raw(",\"longitude\":"); decimal(n.longitude)
        raw("}}")
    }

    mutating func statusObject(_ r: SignInRow) {
        raw("{\"errorCode\":"); int(r.resultType)
        if r.resultType != 0 { next("failureReason"); str(r.failureReason) }
        if let details = r.additionalDetails { next("additionalDetails"); str(details) }
        byte(0x7D)
    }

    mutating func authenticationDetailsArray(_ r: SignInRow) {
        guard r.kind == .interactive else {
            raw("[]")
            return
        }
        raw("[{\"authenticationStepDateTime\":"); quotedTime(r.time - 20 * Time.second, .iso7Z)
        next("authenticationMethod"); str(r.authMethod)
        raw(",\"authenticationMethodDetail\":\"\",\"succeeded\":"); bool(r.resultType == 0 || r.resultType == 50140)
        next("authenticationStepResultDetail"); str(r.resultType == 0 ? (r.authMethod == "Previously satisfied" ? "First factor requirement satisfied by claim in the token" : "Correct password") : r.failureReason)
        raw(",\"authenticationStepRequirement\":\"Primary authentication\"}")
        if let second = r.secondFactor, r.resultType == 0 {
            raw(",{\"authenticationStepDateTime\":"); quotedTime(r.time - 5 * Time.second, .iso7Z)
            next("authenticationMethod"); str(second)
            raw(",\"authenticationMethodDetail\":\"\",\"succeeded\":true,\"authenticationStepResultDetail\":\"MFA successfully completed\",\"authenticationStepRequirement\":\"Multifactor authentication\"}")
        }
        byte(0x5D)
    }

    mutating func processingDetailsArray(_ r: SignInRow) {
        raw("[{\"key\":\"Legacy TLS (TLS 1.0, 1.1, 3DES)\",\"value\":\"False\"},{\"key\":\"Is CAE Token\",\"value\":\"")
        raw(r.caeToken ? "True" : "False")
        raw("\"}]")
    }

    mutating func networkLocationArray(_ r: SignInRow) {
        if let name = r.trustedLocation {
            raw("[{\"networkType\":\"trustedNamedLocation\",\"networkNames\":[")
            str(name)
            raw("]}]")
        } else {
            raw("[]")
        }
    }

    mutating func tokenProtectionObject(_ r: SignInRow) {
        raw("{\"signInSessionStatus\":"); str(r.tokenProtection)
        raw(",\"signInSessionStatusCode\":")
        switch r.tokenProtection {
        case "bound": raw("0")
        case "unbound": raw("1008")
        default: raw("null")
        }
        byte(0x7D)
    }

    mutating func conditionalAccessStatus(_ r: SignInRow) {
        switch r.kind {
        case .servicePrincipal: str("notApplied")
        default: str(r.resultType == 0 || r.resultType == 50140 ? "success" : (r.resultType == 53003 ? "failure" : "notApplied"))
        }
    }

    private mutating func eventTypes(_ kind: SignInKind) {
        switch kind {
        case .interactive: raw("[\"interactiveUser\"]")
        case .nonInteractive: raw("[\"nonInteractiveUser\"]")
        case .servicePrincipal: raw("[\"servicePrincipal\"]")
        }
    }

    /// A Log Analytics row (`SigninLogs`, `AADNonInteractiveUserSignInLogs`,
    /// `AADServicePrincipalSignInLogs`), one JSON object.
    mutating func signInLogAnalytics(_ r: SignInRow, tenant: Tenant, compact: Bool = false) {
        let who = Identity(r.principal, tenant: tenant)
        let (category, table): (StaticString, StaticString)
        switch r.kind {
        case .interactive: (category, table) = ("SignInLogs", "SigninLogs")
        case .nonInteractive: (category, table) = ("NonInteractiveUserSignInLogs", "AADNonInteractiveUserSignInLogs")
        case .servicePrincipal: (category, table) = ("ServicePrincipalSignInLogs", "AADServicePrincipalSignInLogs")
        }
        if compact {
            // A projected export (`| project ...`): the columns an analyst keeps.
            raw("{\"TimeGenerated\":"); quotedTime(r.time + r.lag, .iso7Z)
            raw(",\"ResultType\":\""); int(r.resultType)
            raw("\",\"ResultDescription\":"); str(r.resultType == 0 ? "Other." : r.failureReason)
            next("CorrelationId"); quotedGUID(r.correlationId)
        } else {
            raw("{\"TenantId\":"); quotedGUID(tenant.workspaceId)
            raw(",\"SourceSystem\":\"Azure AD\",\"TimeGenerated\":"); quotedTime(r.time + r.lag, .iso7Z)
            raw(",\"ResourceId\":\"/tenants/"); guid(tenant.tenantId); raw("/providers/Microsoft.aadiam\"")
            raw(",\"OperationName\":\"Sign-in activity\",\"OperationVersion\":\"1.0\",\"Category\":\""); raw(category)
            raw("\",\"ResultType\":\""); int(r.resultType)
            raw("\",\"ResultSignature\":\"None\",\"ResultDescription\":"); str(r.resultType == 0 ? "Other." : r.failureReason)
            raw(",\"DurationMs\":0,\"CorrelationId\":"); quotedGUID(r.correlationId)
            raw(",\"Resource\":\"Microsoft.aadiam\",\"ResourceGroup\":\"Microsoft.aadiam\",\"ResourceProvider\":\"Microsoft.aadiam\"")
            next("Identity"); str(r.kind == .servicePrincipal ? who.spName : who.displayName)
            raw(",\"Level\":\"4\"")
        }
        raw(",\"Location\":"); str(r.network.country)
        next("AppDisplayName"); str(r.app.name)
        next("AppId"); str(r.app.id)
        if r.kind == .servicePrincipal {
            next("ServicePrincipalId"); quotedGUIDOrEmpty(who.spId)
            next("ServicePrincipalName"); str(who.spName)
            next("ServicePrincipalCredentialKeyId"); quotedGUIDOrEmpty(who.spKeyId)
            next("ServicePrincipalCredentialThumbprint"); str(who.spThumbprint)
            next("ClientCredentialType"); str(r.credentialType)
            raw(",\"FederatedCredentialId\":\"\",\"LocationDetails\":\"")
            var location = ByteBuffer(capacity: 200)
            location.locationObject(r.network)
            escaped(location.string)
            byte(0x22)
        } else {
            if !compact { next("AlternateSignInName"); str(who.upn) }
            raw(",\"AuthenticationDetails\":"); authenticationDetailsArray(r)
            if !compact { raw(",\"AuthenticationMethodsUsed\":\"\",\"AuthenticationProcessingDetails\":"); processingDetailsArray(r) }
            next("AuthenticationRequirement"); str(r.multiFactor ? "multiFactorAuthentication" : "singleFactorAuthentication")
            if !compact { raw(",\"AuthenticationRequirementPolicies\":[]") }
            next("ClientAppUsed"); str(r.clientAppUsed)
            next("ClientCredentialType"); str(r.credentialType)
            raw(",\"DeviceDetail\":"); deviceDetailObject(r.device)
            raw(",\"IsInteractive\":"); bool(r.kind == .interactive)
            raw(",\"LocationDetails\":"); locationObject(r.network)
            if !compact {
                raw(",\"MfaDetail\":")
                if let second = r.secondFactor, r.kind == .interactive, r.resultType == 0 {
                    raw("{\"authMethod\":"); str(second); raw(",\"authDetail\":null}")
                } else {
                    raw("{}")
                }
            }
            raw(",\"NetworkLocationDetails\":"); networkLocationArray(r)
            next("UserDisplayName"); str(who.displayName)
            next("UserId"); quotedGUIDOrEmpty(who.userId)
            next("UserPrincipalName"); str(who.upn)
            if !compact {
                next("SignInIdentifier"); str(who.upn)
                raw(",\"SignInIdentifierType\":\"\",\"UserType\":\"Member\",\"FlaggedForReview\":false,\"IsRisky\":false")
            }
            raw(",\"TokenProtectionStatusDetails\":"); tokenProtectionObject(r)
        }
        next("ConditionalAccessStatus"); conditionalAccessStatus(r)
        if !compact { raw(",\"ConditionalAccessPolicies\":[]") }
        next("CreatedDateTime"); quotedTime(r.time, .iso7Z)
        if !compact { raw(",\"CrossTenantAccessType\":\"none\"") }
        next("Id"); quotedGUID(r.id)
        next("IncomingTokenType"); str(r.incomingTokenType)
        next("IPAddress"); str(r.ip)
        raw(",\"AutonomousSystemNumber\":\""); int(r.network.asn); byte(0x22)
        if !compact { raw(",\"IsTenantRestricted\":false,\"IsThroughGlobalSecureAccess\":false") }
        next("AuthenticationProtocol"); str(r.authProtocol)
        next("OriginalTransferMethod"); str(r.transferMethod)
        next("OriginalRequestId"); quotedGUIDOrEmpty(r.originalRequestId)
        if r.kind == .nonInteractive {
            raw(",\"ProcessingTimeInMs\":\""); int(r.processingMs); byte(0x22)
        } else {
            raw(",\"ProcessingTimeInMilliseconds\":\""); int(r.processingMs); byte(0x22)
        }
        next("ResourceDisplayName"); str(r.resource.name)
        next("ResourceIdentity"); str(r.resource.id)
        if !compact { next("ResourceServicePrincipalId"); quotedGUID(tenant.resourceObjectIds[r.resource.index]) }
        next("ResourceTenantId"); quotedGUID(tenant.tenantId)
        if !compact {
            next("HomeTenantId"); quotedGUID(tenant.tenantId)
            raw(",\"RiskDetail\":\"none\",\"RiskEventTypes\":\"[]\",\"RiskEventTypes_V2\":\"[]\",\"RiskLevelAggregated\":\"none\",\"RiskLevelDuringSignIn\":\"none\",\"RiskState\":\"none\"")
        }
        next("SessionId"); quotedGUIDOrEmpty(r.sessionId)
        next("SignInEventTypes"); byte(0x22)
        switch r.kind {
        case .interactive: raw("[\\\"interactiveUser\\\"]")
        case .nonInteractive: raw("[\\\"nonInteractiveUser\\\"]")
        case .servicePrincipal: raw("[\\\"servicePrincipal\\\"]")
        }
        byte(0x22)
        raw(",\"Status\":"); statusObject(r)
        if !compact { raw(",\"TokenIssuerName\":\"\",\"TokenIssuerType\":\"AzureAD\"") }
        next("UniqueTokenIdentifier"); str(r.uti)
        next("UserAgent"); str(r.userAgent)
        if !compact { next("AADTenantId"); quotedGUID(tenant.tenantId) }
        raw(",\"Type\":\""); raw(table); raw("\"}")
    }

    /// The Graph `signIn` object (beta), camelCase. `graphStyle` renders times as Graph does
    /// (whole seconds, `Z`); otherwise as diagnostic settings do (`+00:00`, 7 digits).
    mutating func signInGraphObject(_ r: SignInRow, tenant: Tenant, graphStyle: Bool) {
        let who = Identity(r.principal, tenant: tenant)
        raw("{\"id\":"); quotedGUID(r.id)
        next("createdDateTime"); quotedTime(r.time, graphStyle ? .isoSecondsZ : .iso7Offset)
        next("userDisplayName"); str(who.displayName)
        next("userPrincipalName"); str(who.upn)
        next("userId"); quotedGUIDOrEmpty(who.userId)
        next("appId"); str(r.app.id)
        next("appDisplayName"); str(r.app.name)
        next("ipAddress"); str(r.ip)
        raw(",\"ipAddressFromResourceProvider\":null")
        next("clientAppUsed"); str(r.clientAppUsed)
        next("userAgent"); str(r.userAgent)
        next("correlationId"); quotedGUID(r.correlationId)
        next("conditionalAccessStatus"); conditionalAccessStatus(r)
        next("originalRequestId"); quotedGUIDOrEmpty(r.originalRequestId)
        next("isInteractive"); bool(r.kind == .interactive)
        next("tokenIssuerName"); raw("\"\"")
        next("tokenIssuerType"); str(r.kind == .servicePrincipal ? "UnknownFutureValue" : "AzureAD")
        next("clientCredentialType"); str(r.credentialType)
        next("processingTimeInMilliseconds"); int(r.kind == .servicePrincipal ? -1 : r.processingMs)
        raw(",\"riskDetail\":\"none\",\"riskLevelAggregated\":\"none\",\"riskLevelDuringSignIn\":\"none\",\"riskState\":\"none\",\"riskEventTypes_v2\":[]")
        next("resourceDisplayName"); str(r.resource.name)
        next("resourceId"); str(r.resource.id)
        next("resourceTenantId"); quotedGUID(tenant.tenantId)
        next("homeTenantId"); quotedGUID(tenant.tenantId)
        next("authenticationRequirement"); str(r.kind == .servicePrincipal ? "" : (r.multiFactor ? "multiFactorAuthentication" : "singleFactorAuthentication"))
        next("signInIdentifier"); str(who.upn)
        next("servicePrincipalName"); str(who.spName)
        next("signInEventTypes"); eventTypes(r.kind)
        next("servicePrincipalId"); quotedGUIDOrEmpty(who.spId)
        if r.kind == .servicePrincipal {
            raw(",\"federatedCredentialId\":\"\",\"userType\":null")
            next("servicePrincipalCredentialKeyId"); quotedGUIDOrEmpty(who.spKeyId)
            next("servicePrincipalCredentialThumbprint"); str(who.spThumbprint)
        } else {
            raw(",\"userType\":\"member\"")
        }
        raw(",\"flaggedForReview\":false,\"isTenantRestricted\":false,\"autonomousSystemNumber\":"); int(r.network.asn)
        raw(",\"crossTenantAccessType\":\"none\",\"uniqueTokenIdentifier\":"); str(r.uti)
        next("incomingTokenType"); str(r.incomingTokenType)
        next("authenticationProtocol"); str(r.authProtocol)
        next("resourceServicePrincipalId"); quotedGUID(tenant.resourceObjectIds[r.resource.index])
        next("signInTokenProtectionStatus"); str(r.tokenProtection)
        next("originalTransferMethod"); str(r.transferMethod)
        raw(",\"isThroughGlobalSecureAccess\":false,\"globalSecureAccessIpAddress\":\"\",\"sessionId\":"); quotedGUIDOrEmpty(r.sessionId)
        raw(",\"appOwnerTenantId\":")
        if case .servicePrincipal = r.principal { quotedGUID(tenant.tenantId) } else { raw("\"f8cdef31-a31e-4b4a-93e4-5f571e91255a\"") }
        raw(",\"mfaDetail\":")
        if let second = r.secondFactor, r.kind == .interactive, r.resultType == 0 {
            raw("{\"authMethod\":"); str(second); raw(",\"authDetail\":null}")
        } else {
            raw("null")
        }
        raw(",\"status\":"); statusObject(r)
        raw(",\"deviceDetail\":"); deviceDetailObject(r.device)
        raw(",\"location\":"); locationObject(r.network)
        raw(",\"appliedConditionalAccessPolicies\":[],\"authenticationProcessingDetails\":"); processingDetailsArray(r)
        raw(",\"networkLocationDetails\":"); networkLocationArray(r)
        raw(",\"authenticationDetails\":"); authenticationDetailsArray(r)
        raw(",\"authenticationRequirementPolicies\":[],\"sessionLifetimePolicies\":[]")
        if r.kind == .servicePrincipal {
            raw(",\"managedServiceIdentity\":{\"msiType\":\"none\",\"associatedResourceId\":\"\",\"federatedTokenId\":\"\",\"federatedTokenIssuer\":\"\"}")
        }
        raw(",\"tokenProtectionStatusDetails\":"); tokenProtectionObject(r)
        byte(0x7D)
    }

    /// A diagnostic-settings record (`PT1H.json` line): envelope plus the Graph object.
    mutating func signInDiagnostic(_ r: SignInRow, tenant: Tenant, redelivery: Micros = 0) {
        let who = Identity(r.principal, tenant: tenant)
        raw("{\"time\":"); quotedTime(r.time + r.lag + redelivery, .iso7Z)
        raw(",\"resourceId\":\"/tenants/"); guid(tenant.tenantId); raw("/providers/Microsoft.aadiam\"")
        raw(",\"operationName\":\"Sign-in activity\",\"operationVersion\":\"1.0\",\"category\":")
        switch r.kind {
        case .interactive: raw("\"SignInLogs\"")
        case .nonInteractive: raw("\"NonInteractiveUserSignInLogs\"")
        case .servicePrincipal: raw("\"ServicePrincipalSignInLogs\"")
        }
        next("tenantId"); quotedGUID(tenant.tenantId)
        raw(",\"resultType\":\""); int(r.resultType)
        raw(r.resultType == 0 ? "\",\"resultSignature\":\"SUCCESS\"" : "\",\"resultSignature\":\"FAILURE\"")
        if r.resultType != 0 { next("resultDescription"); str(r.failureReason) }
        raw(",\"durationMs\":0,\"callerIpAddress\":"); str(r.ip)
        next("correlationId"); quotedGUID(r.correlationId)
        next("identity"); str(r.kind == .servicePrincipal ? who.spName : who.displayName)
        raw(",\"Level\":4,\"location\":"); str(r.network.country)
        raw(",\"properties\":")
        signInGraphObject(r, tenant: tenant, graphStyle: false)
        byte(0x7D)
    }
}
