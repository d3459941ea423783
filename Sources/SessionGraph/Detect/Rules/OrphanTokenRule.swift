/// `tok-orphan-use`: user activity whose token matches no sign-in (neither the exact token id
/// nor its decoded request id) although the user's sign-ins around the token's issue time are in
/// the data (detections.md §3.2; TS-BYPASS: Graph rows with no sign-in row ⇒ sign-in log bypass).
/// Medium; high when its session id has no sign-in either and the client is a script. Skipped for
/// first-party service apps and when the sign-in export does not cover the time (±1 h). When no
/// non-interactive sign-in table is loaded (only interactive rows or audit-log STS logons), the
/// refresh that minted the token cannot be in the data: capped at low, and the finding says so.
struct OrphanTokenRule: RunRule {
    let id = "tok-orphan-use"
    let family = FindingFamily.orphanToken

    func evaluate(_ input: DetectionInput) -> [RawFinding] {
        let graph = input.graph
        let nonInteractiveLoaded = graph.events.contains { $0.source == .nonInteractiveSignInLogs }
        var groups: [CompactIdentifier: [Int32]] = [:]
        var order: [CompactIdentifier] = []
        // The link stage already looked up every action's token: only those it found no sign-in
        // for (by token id or decoded request id) are read here.
        for index in graph.unmatchedTokenActions {
            let event = graph.events[Int(index)]
            guard let uti = event.tokenKey, let user = event.userId ?? event.userPrincipalName else { continue }
            if let app = event.appId, ServiceSide.firstPartyAppPrefixes.contains(String(app.prefix(8))) { continue }
            let at = event.tokenIssuedAt ?? event.time
            guard input.userSignedIn(user, near: at, window: 3600) else { continue }
            if groups[uti] == nil { order.append(uti) }
            groups[uti, default: []].append(Int32(index))
        }
        // The session and node of each orphan action: found in one pass over the sessions'
        // nodes, for the orphans alone (a table of every action would be built for nothing).
        var sessionOfEvent: [Int32: (Int, NodeID)] = [:]
        var wanted = [Bool](repeating: false, count: graph.events.count)
        for indexes in groups.values { for index in indexes { wanted[Int(index)] = true } }
        if !groups.isEmpty {
            for (index, session) in graph.sessions.enumerated() {
                for node in session.nodes where graph.nodes[Int(node)].kind == .action {
                    if let event = graph.nodes[Int(node)].event, wanted[Int(event)] { sessionOfEvent[event] = (index, node) }
                }
            }
        }
        return order.map { key in
            let indexes = groups[key]!
            let uti = key.text
            let first = graph.events[Int(indexes[0])]
            let located = sessionOfEvent[indexes[0]]
            let sessionHasSignIn = located.map { graph.sessions[$0.0].signIns > 0 } ?? false
            let script = indexes.contains { graph.client(ofEvent: $0).hasPrefix("script:") }
            var finding = RawFinding(
                rule: id, family: family, severity: !sessionHasSignIn && script ? .high : .medium, session: located?.0,
                branch: located.map { graph.nodes[Int($0.1)].branch },
                summary: "Token \(uti) of \(first.userPrincipalName ?? first.userId ?? "?") was used \(indexes.count) times but no sign-in in the data minted it, although the user's sign-ins of that time are present.",
                reason: "token \(uti) (request id \(first.requestIdFromToken ?? "not decodable")) matches no sign-in; session \(first.sessionId ?? "none")\(sessionHasSignIn ? " has sign-ins" : " has no sign-in")\(script ? "; script client" : "")")
            if !nonInteractiveLoaded {
                finding.adjustments.append("capped at low from \(finding.severity.rawValue): no non-interactive sign-in table is in the data, so the refresh that minted this token cannot be")
                finding.severity = .low
            }
            let nodes = indexes.compactMap { sessionOfEvent[$0]?.1 }
            if nodes.count == indexes.count { finding.nodes = nodes } else { finding.events = indexes }
            return finding
        }
    }
}
