import Foundation

/// Site knowledge that suppresses false positives (`--config FILE`, JSON):
///
/// ```json
/// {
///   "trustedNetworks": ["AS64500", "203.0.113.0/24", "2001:db8:100::/48"],
///   "hostingASNs": [16509, 8075],
///   "allowlist": [{"user": "admin@contoso.com", "appId": "14d82eec-204b-4c2f-b7e8-296a70dab67e", "network": "AS8075"}],
///   "tenantDomains": ["contoso.com"]
/// }
/// ```
///
/// - `trustedNetworks`: corporate egress, VPN and jump-host ranges (ASNs or CIDRs). All trusted
///   egress counts as one network, so moving between trusted ranges never starts a new-network finding.
/// - `hostingASNs`: added to the built-in hosting/anonymiser list (detections.md §1).
/// - `allowlist`: (user, app[, network]) pairs whose findings are capped at low (admins using
///   device code for Graph PowerShell, developer tooling).
/// - `tenantDomains`: mail domains that are not "external" for forwarding rules (by default the
///   UPN suffixes seen in the data).
public struct DetectionConfig: Sendable, Codable, Equatable {
    public struct AllowEntry: Sendable, Codable, Equatable {
        public var user: String
        public var appId: String
        public var network: String?
    }

    public var trustedNetworks: [String] = []
    public var hostingASNs: [Int] = []
    public var allowlist: [AllowEntry] = []
    public var tenantDomains: [String] = []

    public init() {}

    /// ASNs of the hosting providers used by token-theft infrastructure (EL-DRSASN, detections.md §1).
    public static let builtInHostingASNs: Set<Int> = [399629, 14061, 136787, 9009, 45102, 215540, 29802, 62240, 204957, 395092, 393406, 400940, 59711, 132203]

    public static func load(path: String) throws -> DetectionConfig {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        do {
            return try JSONDecoder().decode(DetectionConfig.self, from: data)
        } catch {
            throw ConfigError(path: path, message: String(describing: error))
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        trustedNetworks = try container.decodeIfPresent([String].self, forKey: .trustedNetworks) ?? []
        hostingASNs = try container.decodeIfPresent([Int].self, forKey: .hostingASNs) ?? []
        allowlist = try container.decodeIfPresent([AllowEntry].self, forKey: .allowlist) ?? []
        tenantDomains = try container.decodeIfPresent([String].self, forKey: .tenantDomains) ?? []
    }
}

public struct ConfigError: Error, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): invalid configuration (\(message))" }
}
