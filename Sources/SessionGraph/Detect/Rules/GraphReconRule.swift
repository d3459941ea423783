/// `act-graph-recon`: delegated Graph requests from one branch touching at least three kinds of
/// directory information within five minutes — roles, users and groups, applications, tenant and
/// licensing, mailboxes, contacts (detections.md §3.5, EL-RECON). Medium; low on the root branch
/// (admin portals and management tools do this too).
struct GraphReconRule: SessionRule {
    let id = "act-graph-recon"
    let family = FindingFamily.riskyAction
    static let window: Double = 5 * 60
    static let categories: [(String, [String])] = [
        ("roles", ["/directoryroles", "/rolemanagement", "/memberof", "/transitivememberof"]),
        ("users and groups", ["/users", "/groups"]),
        ("applications", ["/applications", "/serviceprincipals", "/oauth2permissiongrants"]),
        ("tenant", ["/organization", "/subscribedskus", "/domains", "/tenantrelationships", "/contracts", "/policies"]),
        ("mailbox", ["/messages", "/mailfolders"]),
        ("contacts", ["/contacts", "/people"]),
    ]

    static func category(_ operation: String) -> String? {
        let path = operation.lowercased()
        guard path.hasPrefix("get ") else { return nil }
        let uri = path.split(separator: "?").first.map(String.init) ?? path
        return categories.first { $0.1.contains { uri.contains($0) } }?.0
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
                reason: "\(hit.count) Graph requests over \(hitCategories.count) categories (threshold 3 in 5 min)"))
        }
        return findings
    }
}
