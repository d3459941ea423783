/// The engine a generated query is written for.
///
/// - `sentinel`: Microsoft Sentinel / Azure Monitor Log Analytics. The tables of schemas.md
///   (`SigninLogs`, `AADNonInteractiveUserSignInLogs`, `AADServicePrincipalSignInLogs`,
///   `AADManagedIdentitySignInLogs`, `MicrosoftGraphActivityLogs`, `CloudAppEvents`,
///   `OfficeActivity`), `TimeGenerated`, and the `Type` column every Log Analytics table has.
/// - `adx`: Azure Data Explorer holding the same tables under the same names and columns (Azure
///   Monitor data export, or a cross-service query to the workspace). Tables copied into a cluster
///   may lack the `Type` column, so every leg sets it to the table's name.
/// - `defender`: Microsoft Defender XDR advanced hunting: `EntraIdSignInEvents`,
///   `GraphApiAuditEvents`, `CloudAppEvents`, `Timestamp`; no ASN, no token id on sign-ins, no
///   session id on Graph requests, and the graph operators are not documented there.
public enum KQLDialect: String, CaseIterable, Sendable {
    case sentinel
    case defender
    case adx

    /// What the dialect is, for query headers.
    var title: String {
        switch self {
        case .sentinel: return "sentinel (Microsoft Sentinel / Azure Monitor Log Analytics)"
        case .defender: return "defender (Microsoft Defender XDR advanced hunting)"
        case .adx: return "adx (Azure Data Explorer holding the Log Analytics tables)"
        }
    }

    /// The projection of the `Type` column for a leg reading `table`: the real column in Log
    /// Analytics, a constant elsewhere.
    func typeColumn(_ table: String) -> String {
        self == .sentinel ? "Type" : "Type = \(KQLString.literal(table))"
    }
}
