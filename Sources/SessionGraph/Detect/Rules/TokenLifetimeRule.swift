import Foundation

/// `tok-lifetime-exceeded`: an access token used long after it was issued (detections.md §3.2).
/// Access tokens live 60–90 minutes, CAE tokens up to 28 hours (schemas.md §7); with 10 minutes
/// of skew: past 100 min ⇒ low, past 28 h 10 min ⇒ medium. One finding per token.
struct TokenLifetimeRule: SessionRule {
    let id = "tok-lifetime-exceeded"
    let family = FindingFamily.tokenReplay
    static let normal: Double = 100 * 60
    static let continuousAccess: Double = (28 * 60 + 10) * 60

    func evaluate(_ view: SessionView) -> [RawFinding] {
        let graph = view.graph
        var worst: [CompactIdentifier: (Double, [NodeID])] = [:]
        var order: [CompactIdentifier] = []
        for node in view.session.nodes where graph.nodes[Int(node)].kind == .action {
            guard let event = view.event(node), let issued = event.tokenIssuedAt, let token = event.tokenKey else { continue }
            let age = issued.seconds(until: event.time)
            guard age > Self.normal else { continue }
            if worst[token] == nil { order.append(token) }
            var entry = worst[token] ?? (0, [])
            entry.0 = max(entry.0, age)
            entry.1.append(node)
            worst[token] = entry
        }
        return order.map { token in
            let (age, nodes) = worst[token]!
            let hours = age / 3600
            return RawFinding(
                rule: id, family: family, severity: age > Self.continuousAccess ? .medium : .low, session: view.index,
                branch: graph.nodes[Int(nodes[0])].branch, nodes: nodes,
                summary: "Token \(token.text) was still used \(String(format: "%.1f", hours)) h after it was issued.",
                reason: "used \(Int(age / 60)) min after its issue time (normal ≤ 90 min, continuous-access tokens ≤ 28 h)")
        }
    }
}
