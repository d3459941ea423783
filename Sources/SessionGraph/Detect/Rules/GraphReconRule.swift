/// `act-graph-recon`: delegated Graph requests from one branch touching at least three kinds of
/// directory information within five minutes — roles, users and groups, applications, tenant and
/// licensing, mailboxes, contacts (detections.md §3.5, EL-RECON). Medium; low on the root branch
/// (admin portals and management tools do this too).
struct GraphReconRule: SessionRule {
    let id = "act-graph-recon"
    let family = FindingFamily.riskyAction
    static let window: Double = 5 * 60
    /// The categories, in priority order (a path naming two reveals the first).
    static let categoryNames = ["roles", "users and groups", "applications", "tenant", "mailbox", "contacts"]
    /// Path segments (lower case) and the index of the category each reveals.
    static let segmentCategories: [(segment: [UInt8], category: Int)] = [
        ("directoryroles", 0), ("rolemanagement", 0), ("memberof", 0), ("transitivememberof", 0),
        ("users", 1), ("groups", 1),
        ("applications", 2), ("serviceprincipals", 2), ("oauth2permissiongrants", 2),
        ("organization", 3), ("subscribedskus", 3), ("domains", 3), ("tenantrelationships", 3), ("contracts", 3), ("policies", 3),
        ("messages", 4), ("mailfolders", 4),
        ("contacts", 5), ("people", 5),
    ].map { (Array($0.0.utf8), $0.1) }

    /// The category of a delegated `GET` request, from the segments of its path (query string
    /// ignored).
    static func category(_ operation: String) -> String? {
        categoryIndex(operation).map { categoryNames[$0] }
    }

    /// The index in ``categoryNames`` of a request's category. Segments are compared in place,
    /// case-insensitively, with the few known ones (every Graph request of a run passes here).
    static func categoryIndex(_ operation: String) -> Int? {
        operation.withUTF8Bytes { bytes -> Int? in
            guard bytes.count > 4, bytes[0] | 0x20 == UInt8(ascii: "g"), bytes[1] | 0x20 == UInt8(ascii: "e"), bytes[2] | 0x20 == UInt8(ascii: "t"), bytes[3] == 0x20 else { return nil }
            var best: Int?
            var segmentStart = 4
            func finish(_ end: Int) {
                let length = end - segmentStart
                guard length > 0 else { return }
                let segment = UnsafeBufferPointer(rebasing: bytes[segmentStart..<end])
                for entry in segmentCategories where entry.segment.count == length && best.map({ entry.category < $0 }) ?? true {
                    if entry.segment.withUnsafeBufferPointer({ asciiCaseInsensitiveEqual(segment, $0) }) { best = entry.category }
                }
            }
            var index = 4
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { break }
                if byte == UInt8(ascii: "/") {
                    finish(index)
                    segmentStart = index + 1
                }
                index += 1
            }
            finish(index)
            return best
        }
    }

    func evaluate(_ view: SessionView) -> [RawFinding] {
        var findings: [RawFinding] = []
        for branch in view.branches {
            let requests = branch.nodes.compactMap { node -> (NodeID, UTCInstant, Int)? in
                guard let event = view.event(node), event.source == .graphActivityLogs, event.userIdCode != TextVocabulary.none,
                      let category = view.input.operations.of(event).reconCategory else { return nil }
                return (node, event.time, Int(category))
            }
            // A window over the requests, with how many of each category it holds.
            var start = 0
            var counts = [Int](repeating: 0, count: Self.categoryNames.count)
            var hit: [NodeID] = []
            var hitCategories: [String] = []
            for end in requests.indices {
                counts[requests[end].2] += 1
                while requests[start].1.seconds(until: requests[end].1) > Self.window {
                    counts[requests[start].2] -= 1
                    start += 1
                }
                if counts.count(where: { $0 > 0 }) >= 3 {
                    hit = requests[start...end].map(\.0)
                    hitCategories = counts.indices.filter { counts[$0] > 0 }.map { Self.categoryNames[$0] }
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
