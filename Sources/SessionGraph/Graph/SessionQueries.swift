/// Filters every query command accepts: `--user`, `--device`, `--from`, `--to`.
public struct SessionFilter: Sendable {
    /// A UPN or object id (case-insensitive).
    public var user: String?
    /// An Entra device id (case-insensitive).
    public var device: String?
    public var from: UTCInstant?
    public var to: UTCInstant?
    /// Only sessions alive at this instant (from their root or first event to their last event).
    public var aliveAt: UTCInstant?

    public init(user: String? = nil, device: String? = nil, from: UTCInstant? = nil, to: UTCInstant? = nil, aliveAt: UTCInstant? = nil) {
        self.user = user?.lowercased()
        self.device = device?.lowercased()
        self.from = from
        self.to = to
        self.aliveAt = aliveAt
    }
}

/// What one token did: the sign-in and session that minted it and every action done with it.
public struct TokenTrace: Sendable {
    public var token: String
    /// The sign-in request id the token decodes to, when it decodes.
    public var requestId: String?
    /// The token node, when a sign-in of the data minted it.
    public var tokenNode: NodeID?
    public var session: SessionChain?
    /// Events that carry the token: the minting sign-in first, then actions in time order.
    public var events: [Int32]
}

extension InvestigationGraph {
    /// Sessions that pass `filter`, in order of first appearance.
    public func sessions(matching filter: SessionFilter) -> [SessionChain] {
        sessions.filter { matches($0, filter) }
    }

    /// The chains of a session id (more than one when the id was seen with several users).
    public func sessions(withId sessionId: String) -> [SessionChain] {
        let sid = sessionId.lowercased()
        return sessions.filter { $0.sessionId == sid }
    }

    /// Whether `session` passes `filter` (a user or device seen in it, alive in the time range).
    public func matches(_ session: SessionChain, _ filter: SessionFilter) -> Bool {
        if let user = filter.user, session.user?.lowercased() != user, session.userPrincipalName?.lowercased() != user {
            let anyEvent = session.nodes.contains { node in
                guard let event = event(of: node) else { return false }
                return event.userPrincipalName == user || event.userId == user
            }
            if !anyEvent { return false }
        }
        if let device = filter.device {
            let seen = session.nodes.contains { event(of: $0)?.deviceId == device }
            if !seen { return false }
        }
        if let from = filter.from, session.lastSeen < from { return false }
        if let to = filter.to, session.firstSeen > to { return false }
        if let at = filter.aliveAt, at < session.firstSeen || at > session.lastSeen { return false }
        return true
    }

    /// Everything done with token `uti` (exact, case-sensitive).
    public func trace(token uti: String) -> TokenTrace {
        var trace = TokenTrace(token: uti, requestId: IdentifierNormalizer.requestId(fromTokenId: uti), tokenNode: nil, session: nil, events: [])
        // Compared as link keys: no text is made per node or event.
        let token = CompactIdentifier(uti)
        if let node = nodes.indices.first(where: { nodes[$0].kind == .token && nodes[$0].tokenKey?.identifier == token }) {
            trace.tokenNode = NodeID(node)
            trace.session = session(containing: NodeID(node))
            if let signIn = nodes[node].event { trace.events.append(signIn) }
        } else if let request = trace.requestId.map(CompactIdentifier.init),
                  let signIn = events.indices.first(where: { events[$0].kind == .signIn && events[$0].requestKey == request }) {
            trace.events.append(Int32(signIn))
        }
        for (index, event) in events.enumerated() where event.kind == .action && event.tokenKey == token {
            trace.events.append(Int32(index))
        }
        return trace
    }

    /// The nodes of `session` in time order, grouped by branch (root branch first).
    public func nodesByBranch(_ session: SessionChain) -> [(Branch, [NodeID])] {
        session.branches.map { branch in
            (branch, branch.nodes.sorted { (nodes[Int($0)].time, $0) < (nodes[Int($1)].time, $1) })
        }
    }
}
