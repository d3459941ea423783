/// A key a record mapper reads, named in lower camel case after its column. Keys are matched
/// ASCII case-insensitively, so one case serves every spelling of a column (`SessionId`,
/// Graph's `sessionId`).
///
/// A case is a constant, passed as a small integer: the parser finds a record's own members by
/// it in one step (``JSONParser/recordSlots``, ``FlatRecord``). A key made at run time (a
/// `static let` of a hash and a name) cost a lazy-initialisation call and a reference count on
/// every lookup, as much as the hashing it saved.
enum FieldKey: Int, CaseIterable, Sendable {
    case aadSessionId
    case aadTenantId
    case accountDisplayName
    case accountId
    case accountObjectId
    case actionType
    case actorIpAddress
    case appAccessContext
    case appDisplayName
    case appId
    case application
    case applicationId
    case auditData
    case authenticationProtocol
    case autonomousSystemNumber
    case browser
    case c_DeviceId
    case c_Iat
    case c_Idtyp
    case c_Sid
    case callerIpAddress
    case category
    case city
    case client_IPAddress
    case clientAppId
    case clientAppName
    case clientAppUsed
    case clientInfoString
    case clientIP
    case clientIPAddress
    case correlationId
    case countryCode
    case countryOrRegion
    case createdDateTime
    case creationTime
    case deviceDetail
    case deviceDetail_dynamic
    case deviceDetail_string
    case deviceDisplayName
    case deviceId
    case deviceProperties
    case displayName
    case errorCode
    case errorNumber
    case extendedProperties
    case folderItems
    case folders
    case geoCoordinates
    case homeTenantId
    case id
    case incidents
    case incomingTokenType
    case interSystemsId
    case ipAddress
    case isCompliant
    case isInteractive
    case isManaged
    case issuedAtTime
    case latitude
    case layout
    case location
    case locationDetails
    case locationDetails_dynamic
    case locationDetails_string
    case longitude
    case name
    case networkLocationDetails
    case networkType
    case oAuthAppId
    case objectId
    case objectName
    case officeId
    case officeTenantId
    case officeWorkload
    case operatingSystem
    case operation
    case operationCount
    case operationProperties
    case organizationId
    case originalTransferMethod
    case osPlatform
    case parameters
    case properties
    case rawEventData
    case recordType
    case reportId
    case requestId
    case requestMethod
    case requestUri
    case resourceDisplayName
    case resourceId
    case resourceIdentity
    case resourceTenantId
    case responseStatusCode
    case resultSignature
    case resultStatus
    case resultType
    case roles
    case scopes
    case seed
    case servicePrincipalId
    case servicePrincipalName
    case sessionId
    case signInActivityId
    case signInEventTypes
    case sourceFileName
    case start_Time
    case status
    case status_dynamic
    case status_string
    case tenantId
    case time
    case timeGenerated
    case timestamp
    case tokenIssuedAt
    case tokenIssuedAtTime
    case tokenObjectId
    case tokenTenantId
    case trustType
    case type
    case uniqueTokenId
    case uniqueTokenIdentifier
    case userAgent
    case userDisplayName
    case userId
    case userPrincipalName
    case userPrincipalObjectID
    case value
    case workload

    /// The key as a column names it.
    var spelling: StaticString {
        switch self {
        case .aadSessionId: return "AADSessionId"
        case .aadTenantId: return "AADTenantId"
        case .accountDisplayName: return "AccountDisplayName"
        case .accountId: return "AccountId"
        case .accountObjectId: return "AccountObjectId"
        case .actionType: return "ActionType"
        case .actorIpAddress: return "ActorIpAddress"
        case .appAccessContext: return "AppAccessContext"
        case .appDisplayName: return "AppDisplayName"
        case .appId: return "AppId"
        case .application: return "Application"
        case .applicationId: return "ApplicationId"
        case .auditData: return "AuditData"
        case .authenticationProtocol: return "AuthenticationProtocol"
        case .autonomousSystemNumber: return "AutonomousSystemNumber"
        case .browser: return "browser"
        case .c_DeviceId: return "C_DeviceId"
        case .c_Iat: return "C_Iat"
        case .c_Idtyp: return "C_Idtyp"
        case .c_Sid: return "C_Sid"
        case .callerIpAddress: return "callerIpAddress"
        case .category: return "category"
        case .city: return "City"
        case .client_IPAddress: return "Client_IPAddress"
        case .clientAppId: return "ClientAppId"
        case .clientAppName: return "ClientAppName"
        case .clientAppUsed: return "ClientAppUsed"
        case .clientInfoString: return "ClientInfoString"
        case .clientIP: return "ClientIP"
        case .clientIPAddress: return "ClientIPAddress"
        case .correlationId: return "CorrelationId"
        case .countryCode: return "CountryCode"
        case .countryOrRegion: return "countryOrRegion"
        case .createdDateTime: return "CreatedDateTime"
        case .creationTime: return "CreationTime"
        case .deviceDetail: return "DeviceDetail"
        case .deviceDetail_dynamic: return "DeviceDetail_dynamic"
        case .deviceDetail_string: return "DeviceDetail_string"
        case .deviceDisplayName: return "DeviceDisplayName"
        case .deviceId: return "DeviceId"
        case .deviceProperties: return "DeviceProperties"
        case .displayName: return "displayName"
        case .errorCode: return "errorCode"
        case .errorNumber: return "ErrorNumber"
        case .extendedProperties: return "ExtendedProperties"
        case .folderItems: return "FolderItems"
        case .folders: return "Folders"
        case .geoCoordinates: return "geoCoordinates"
        case .homeTenantId: return "HomeTenantId"
        case .id: return "Id"
        case .incidents: return "incidents"
        case .incomingTokenType: return "IncomingTokenType"
        case .interSystemsId: return "InterSystemsId"
        case .ipAddress: return "IPAddress"
        case .isCompliant: return "isCompliant"
        case .isInteractive: return "IsInteractive"
        case .isManaged: return "isManaged"
        case .issuedAtTime: return "IssuedAtTime"
        case .latitude: return "latitude"
        case .layout: return "layout"
        case .location: return "Location"
        case .locationDetails: return "LocationDetails"
        case .locationDetails_dynamic: return "LocationDetails_dynamic"
        case .locationDetails_string: return "LocationDetails_string"
        case .longitude: return "longitude"
        case .name: return "Name"
        case .networkLocationDetails: return "NetworkLocationDetails"
        case .networkType: return "networkType"
        case .oAuthAppId: return "OAuthAppId"
        case .objectId: return "ObjectId"
        case .objectName: return "ObjectName"
        case .officeId: return "OfficeId"
        case .officeTenantId: return "OfficeTenantId"
        case .officeWorkload: return "OfficeWorkload"
        case .operatingSystem: return "operatingSystem"
        case .operation: return "Operation"
        case .operationCount: return "OperationCount"
        case .operationProperties: return "OperationProperties"
        case .organizationId: return "OrganizationId"
        case .originalTransferMethod: return "OriginalTransferMethod"
        case .osPlatform: return "OSPlatform"
        case .parameters: return "Parameters"
        case .properties: return "properties"
        case .rawEventData: return "RawEventData"
        case .recordType: return "RecordType"
        case .reportId: return "ReportId"
        case .requestId: return "RequestId"
        case .requestMethod: return "RequestMethod"
        case .requestUri: return "RequestUri"
        case .resourceDisplayName: return "ResourceDisplayName"
        case .resourceId: return "resourceId"
        case .resourceIdentity: return "ResourceIdentity"
        case .resourceTenantId: return "ResourceTenantId"
        case .responseStatusCode: return "ResponseStatusCode"
        case .resultSignature: return "resultSignature"
        case .resultStatus: return "ResultStatus"
        case .resultType: return "ResultType"
        case .roles: return "Roles"
        case .scopes: return "Scopes"
        case .seed: return "seed"
        case .servicePrincipalId: return "ServicePrincipalId"
        case .servicePrincipalName: return "ServicePrincipalName"
        case .sessionId: return "SessionId"
        case .signInActivityId: return "SignInActivityId"
        case .signInEventTypes: return "SignInEventTypes"
        case .sourceFileName: return "SourceFileName"
        case .start_Time: return "Start_Time"
        case .status: return "Status"
        case .status_dynamic: return "Status_dynamic"
        case .status_string: return "Status_string"
        case .tenantId: return "tenantId"
        case .time: return "time"
        case .timeGenerated: return "TimeGenerated"
        case .timestamp: return "Timestamp"
        case .tokenIssuedAt: return "TokenIssuedAt"
        case .tokenIssuedAtTime: return "TokenIssuedAtTime"
        case .tokenObjectId: return "TokenObjectId"
        case .tokenTenantId: return "TokenTenantId"
        case .trustType: return "trustType"
        case .type: return "Type"
        case .uniqueTokenId: return "UniqueTokenId"
        case .uniqueTokenIdentifier: return "UniqueTokenIdentifier"
        case .userAgent: return "UserAgent"
        case .userDisplayName: return "UserDisplayName"
        case .userId: return "UserId"
        case .userPrincipalName: return "UserPrincipalName"
        case .userPrincipalObjectID: return "UserPrincipalObjectID"
        case .value: return "Value"
        case .workload: return "Workload"
        }
    }

    /// The key's bytes.
    @inline(__always)
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let text = spelling
        return body(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
