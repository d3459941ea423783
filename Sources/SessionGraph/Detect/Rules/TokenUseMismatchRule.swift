/// `tok-use-ip-mismatch`: an access token used away from where it was minted (detections.md
/// §3.2, NS-UAT). Compares the action's network with its minting sign-in's: same network, or an
/// unknown ASN with an IPv4/IPv6 swap ⇒ no finding (info at most); other network ⇒ medium; other
/// country ⇒ high. Service-side actions are skipped; when the action's network is seen on the same
/// user's sign-ins from the same device (split tunnelling) ⇒ low. One finding per token and network.
struct TokenUseMismatchRule: SessionRule {
    let id = "tok-use-ip-mismatch"
    let family = FindingFamily.tokenReplay

    func evaluate(_ view: SessionView) -> [RawFinding] {
        let graph = view.graph
        struct Key: Hashable { var token: NodeID; var network: String }
        var groups: [Key: [NodeID]] = [:]
        var order: [Key] = []
        for node in view.session.nodes where graph.nodes[Int(node)].kind == .action && !graph.nodes[Int(node)].serviceSide {
            guard let edge = graph.incoming(node), edge.kind == .tokenToAction else { continue }
            let action = graph.nodes[Int(node)].context, token = graph.nodes[Int(edge.from)].context
            guard let ip = action.ipAddress, let mintIP = token.ipAddress, ip != mintIP, action.network != token.network else { continue }
            if action.asn == nil && NetworkKey.isIPv6(ip) != NetworkKey.isIPv6(mintIP) { continue }
            let key = Key(token: edge.from, network: action.network)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(node)
        }
        guard !order.isEmpty else { return [] }
        // The (network, device) of each branch with a sign-in, once a session: a token replayed
        // from many networks made a scan of every branch per network.
        struct Place: Hashable { var network: String; var device: String }
        let signInPlaces = Set(view.branches.filter(\.hasSignIns)
            .map { Place(network: $0.network, device: $0.device) })
        return order.map { key in
            let nodes = groups[key]!
            let action = graph.nodes[Int(nodes[0])].context, token = graph.nodes[Int(key.token)].context
            var severity: Severity = .medium
            var adjustments: [String] = []
            if let a = action.country, let t = token.country, a != t { severity = .high }
            if signInPlaces.contains(Place(network: action.network, device: token.device)) {
                severity = .low
                adjustments.append("capped at low: the action's network also appears on this user's sign-ins from the same device (split tunnelling)")
            }
            return RawFinding(
                rule: id, family: family, severity: severity, session: view.index, branch: graph.nodes[Int(nodes[0])].branch,
                nodes: [key.token] + nodes,
                summary: "Token \(graph.nodes[Int(key.token)].token ?? "?") minted on \(token.network) was used from \(action.network) (\(nodes.count) actions).",
                reason: "minted at \(token.ipAddress ?? "?") (\(token.network)\(token.country.map { ", \($0)" } ?? "")), used from \(action.ipAddress ?? "?") (\(action.network)\(action.country.map { ", \($0)" } ?? ""))",
                adjustments: adjustments)
        }
    }
}
