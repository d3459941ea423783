import Foundation

/// The events the simulator produces, independent of how they are exported.

enum SignInKind: Sendable {
    case interactive, nonInteractive, servicePrincipal
}

/// Who a record is about: a user (index into ``Tenant/users``) or a service principal.
enum Principal: Sendable {
    case user(Int)
    case servicePrincipal(Int)
}

struct SignInRow {
    var kind: SignInKind
    var time: Micros
    /// Ingestion delay: `TimeGenerated` and the diagnostic envelope `time` trail the sign-in.
    var lag: Micros
    var id: GUID
    var uti: String
    var correlationId: GUID
    var originalRequestId: GUID?
    var sessionId: GUID?
    var principal: Principal
    var app: App
    var resource: Resource
    var ip: String
    var network: Network
    var device: DeviceDetail
    var userAgent: String
    var clientAppUsed: String
    var incomingTokenType: String
    var authProtocol: String
    var transferMethod: String
    var resultType: Int
    var failureReason: String
    var additionalDetails: String?
    var multiFactor: Bool
    /// First-factor method of an interactive sign-in ("Password", "Previously satisfied", ...).
    var authMethod: String
    var secondFactor: String?
    var tokenProtection: String
    var trustedLocation: String?
    var credentialType: String
    var processingMs: Int
    var caeToken: Bool
}

/// A token minted by a sign-in, as the workloads that receive it see it.
struct Token {
    var uti: String
    var sessionId: GUID?
    var signInTime: Micros
    var issuedAt: Micros
    var expires: Micros
    var ip: String
    /// The address workloads see when it differs (dual-stack: IPv6 to Entra, IPv4 to Exchange).
    var workloadIP: String
    var network: Network
    var app: App
    var deviceId: GUID?
    /// The client's own user agent towards the workload (not the broker's).
    var workloadAgent: String
}

struct GraphCall {
    var time: Micros
    var requestId: GUID
    var clientRequestId: GUID
    var method: String
    var uri: String
    var apiVersion: String
    var status: Int
    var durationMs: Int
    var responseSize: Int
    var ip: String
    var userAgent: String
    var appId: String
    var principal: Principal
    var uti: String
    var sessionId: GUID?
    var deviceId: GUID?
    var tokenIssuedAt: Micros
    var scopes: String
    var roles: String
    var region: String
}

/// How a workload writes `AppAccessContext` (schemas.md §5.3).
enum AccessContextStyle {
    /// Exchange 2025: AADSessionId, APIId, ClientAppId, IssuedAtTime, UniqueTokenId.
    case exchange
    /// Exchange 2023 admin cmdlets: IssuedAtTime, UniqueTokenId; sid in top-level SessionId.
    case exchangeLegacy
    /// SharePoint/OneDrive: AADSessionId, ClientAppId, ClientAppName, CorrelationId, TokenIssuedAtTime, UniqueTokenId.
    case sharePoint
    /// Teams: AADSessionId, IssuedAtTime, UniqueTokenId.
    case teams
    /// Background Exchange process: `{"UniqueTokenId": ""}`.
    case systemEmpty
    /// No AppAccessContext at all (Entra directory audit).
    case none
}

enum AuditBody {
    case mailItemsAccessed(accessType: String, folder: String, items: Int, clientInfo: String)
    case send(subject: String)
    case newInboxRule(name: String, parameters: [(String, String)])
    case setMailbox
    case file(workload: String, siteUrl: String, relativeUrl: String, fileName: String, ext: String, userAgent: String, managed: Bool)
    case teams(chatThread: String, communicationType: String, messageId: String)
    case addDevice(deviceObjectId: GUID, deviceId: GUID, displayName: String, osVersion: String, requestId: GUID)
}

struct AuditRecord {
    var time: Micros
    var id: GUID
    var operation: String
    var recordType: Int
    var userIndex: Int
    var system: Bool
    var clientIP: String?
    var token: Token?
    var contextStyle: AccessContextStyle
    var correlationId: GUID
    var body: AuditBody

    var workload: String {
        switch body {
        case .mailItemsAccessed, .send, .newInboxRule, .setMailbox: return "Exchange"
        case .file(let workload, _, _, _, _, _, _): return workload
        case .teams: return "MicrosoftTeams"
        case .addDevice: return "AzureActiveDirectory"
        }
    }
}

/// A Defender `CloudAppEvents` row: an audit record seen through Defender for Cloud Apps.
struct CloudAppEvent {
    var audit: AuditRecord
    var application: String
    var applicationId: Int
    var ip: String
    var network: Network
    var userAgent: String
    var objectName: String
    var reportId: String
    var lag: Micros
}
