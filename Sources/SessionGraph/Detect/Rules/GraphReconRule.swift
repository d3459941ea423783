/// `act-graph-recon`: delegated Graph requests from one branch touching at least three kinds of
/// directory information within five minutes — roles, users and groups, applications, tenant and
/// licensing, mailboxes, contacts (detections.md §3.5, EL-RECON). Medium; low on the root branch
/// (admin portals and management tools do this too).
struct GraphReconRule: SessionRule {
    let id = "act-graph-recon"
    let family = FindingFamily.riskyAction
    static let window: Double = 5 * 60
    /// Path segments (lower case) and the category each reveals, in priority order.
    static let segmentCategories: [String: (Int, String)] = [
        "directoryroles": (0, "roles"), "rolemanagement": (0, "roles"), "memberof": (0, "roles"), "transitivememberof": (0, "roles"),
        "users": (1, "users and groups"), "groups": (1, "users and groups"),
        "applications": (2, "applications"), "serviceprincipals": (2, "applications"), "oauth2permissiongrants": (2, "applications"),
        "organization": (3, "tenant"), "subscribedskus": (3, "tenant"), "domains": (3, "tenant"), "tenantrelationships": (3, "tenant"),
        "contracts": (3, "tenant"), "policies": (3, "tenant"),
        "messages": (4, "mailbox"), "mailfolders": (4, "mailbox"),
        "contacts": (5, "contacts"), "people": (5, "contacts"),
    ]

    /// The category of a delegated `GET` request, from the segments of its path (query string
    /// ignored).
    static func category(_ operation: String) -> String? {
        var text = operation
        return text.withUTF8 { bytes -> String? in
            guard bytes.count > 4, bytes[0] | 0x20 == UInt8(ascii: "g"), bytes[1] | 0x20 == UInt8(ascii: "e"), bytes[2] | 0x20 == UInt8(ascii: "t"), bytes[3] == 0x20 else { return nil }
            var best: (Int, String)?
            var segment: [UInt8] = []
            func finish() {
                if !segment.isEmpty, segment.count <= 24, let hit = segmentCategories[String(decoding: segment, as: UTF8.self)] {
                    if best == nil || hit.0 < best!.0 { best = hit }
                }
                segment.removeAll(keepingCapacity: true)
            }
            for byte in bytes[4...] {
                if byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { break }
                if byte == UInt8(ascii: "/") { finish(); continue }
                segment.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            }
            finish()
            return best?.1
        }
    }

    func evaluate(_ view: SessionView) -> [RawFinding] {
        var findings: [RawFinding] = []
        for branch in view.branches {
            let requests = branch.nodes.compactMap { node -> (NodeID, UTCInstant, String)? in
                guard let event = view.event(node), event.source == .graphActivityLogs, event.userId != nil,
                      let category = Self.category(event.operation ?? "") else { return nil }
                return (node, event.time, category)
            }
            var start = 0
            var hit: [NodeID] = []
            var hitCategories = Set<String>()
            for end in requests.indices {
                while requests[start].1.seconds(until: requests[end].1) > Self.window { start += 1 }
                let categories = Set(requests[start...end].map(\.2))
                if categories.count >= 3 {
                    hit = requests[start...end].map(\.0)
                    hitCategories = categories
                    break
                }
            }
            guard !hit.isEmpty else { continue }
            findings.append(RawFinding(
                rule: id, family: family, severity: branch.index == 0 ? .low : .medium, session: view.index, branch: branch.index, nodes: hit,
                summary: "From branch \(view.describe(branch)), \(view.user() ?? "the user")'s session enumerated \(hitCategories.sorted().joined(separator: ", ")) through Graph within five minutes.",
                reason: "\(hit.count) Graph requests over \(hitCategories.count) categories (threshold 3 in 5 min)", roamingCap: true))
        }
        return findings
    }
}
