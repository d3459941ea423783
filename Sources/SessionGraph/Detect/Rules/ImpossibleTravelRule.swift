import Foundation

/// `sess-impossible-travel`: consecutive located nodes of one session, in different branches,
/// whose great-circle distance and time gap need an impossible speed: ≥ 500 km at ≥ 800 km/h
/// (EL-TRAVEL). High. Skipped when either end is trusted egress (VPNs) or a service-side action;
/// Graph's `Location` (an Azure region) is never used.
struct ImpossibleTravelRule: SessionRule {
    let id = "sess-impossible-travel"
    let family = FindingFamily.impossibleTravel
    static let minimumKilometres = 500.0
    static let minimumSpeed = 800.0

    func evaluate(_ view: SessionView) -> [RawFinding] {
        let failure = FactCodes.shared.failure
        let graph = view.graph
        guard view.branches.count > 1 else { return [] }
        // Each located node with its point, in time order (the points kept beside the nodes: a
        // dictionary of them was grown and rehashed for every session).
        var located: [(node: NodeID, point: (Double, Double))] = []
        for node in view.branches.flatMap(\.nodes) {
            let value = graph.nodes[Int(node)]
            guard !value.serviceSide, view.event(node)?.outcomeCode != failure, let point = view.geo(node), !view.input.isTrusted(value.context) else { continue }
            located.append((node, point))
        }
        located.sort { (graph.nodes[Int($0.node)].time, $0.node) < (graph.nodes[Int($1.node)].time, $1.node) }
        var findings: [RawFinding] = []
        var reported = Set<Int32>()
        for ((a, ga), (b, gb)) in zip(located, located.dropFirst()) {
            let na = graph.nodes[Int(a)], nb = graph.nodes[Int(b)]
            // The finding belongs to the branch that is not the reference one (either direction).
            let branch = nb.branch != 0 ? nb.branch : na.branch
            guard na.branch != nb.branch, !reported.contains(branch) else { continue }
            let km = Self.distance(ga, gb)
            let hours = max(na.time.seconds(until: nb.time), 60) / 3600
            let speed = km / hours
            guard km >= Self.minimumKilometres, speed >= Self.minimumSpeed else { continue }
            reported.insert(branch)
            findings.append(RawFinding(
                rule: id, family: family, severity: .high, session: view.index, branch: branch, nodes: [b, a],
                summary: "Session \(view.session.sessionId) of \(view.user() ?? "unknown user") was used \(Int(km)) km apart within \(Self.duration(na.time.seconds(until: nb.time))) (\(Int(speed)) km/h).",
                reason: "\(na.context.country ?? "?") \(na.context.ipAddress ?? "?") at \(na.time.iso8601) → \(nb.context.country ?? "?") \(nb.context.ipAddress ?? "?") at \(nb.time.iso8601)"))
        }
        return findings
    }

    /// Great-circle distance in kilometres (haversine).
    static func distance(_ a: (Double, Double), _ b: (Double, Double)) -> Double {
        let r = 6371.0
        let dLat = (b.0 - a.0) * .pi / 180, dLon = (b.1 - a.1) * .pi / 180
        let h = sin(dLat / 2) * sin(dLat / 2) + cos(a.0 * .pi / 180) * cos(b.0 * .pi / 180) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * asin(min(1, sqrt(h)))
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return "\(Int(seconds)) s" }
        return seconds < 3600 ? "\(Int(seconds / 60)) min" : "\(Int(seconds / 3600)) h \(Int(seconds / 60) % 60) min"
    }
}
