/// Builds the nodes and edges of one session (one session id, one user) and appends them to
/// the graph's arrays, so each session's nodes are a contiguous range.
struct SessionAssembler {
    let events: [Event]
    /// Each event's client family, as a vocabulary code.
    let clients: [UInt32]
    let sessionId: String
    let user: String?
    let members: [SessionMember]
    /// Keyed by the address's vocabulary code (``ContextIndex``).
    let asnByIP: CodeTable<Int>
    let countryByIP: CodeTable<UInt32>

    func context(of index: Int32, device: UInt32? = nil, networks: inout NetworkCodes) -> NodeContext {
        let i = Int(index)
        let ipCode = events[i].ipAddressCode
        let asn = events[i].asn ?? asnByIP[ipCode] ?? ServiceSide.inferredASN(ip: events[i].ipAddress)
        let asnValue = asn.flatMap { UInt32(exactly: $0) } ?? 0
        let deviceId = events[i].deviceIdCode
        let country = events[i].countryCode
        return NodeContext(
            networkCode: networks.code(ip: ipCode, asn: asnValue),
            deviceCode: device ?? (deviceId != TextVocabulary.none ? deviceId : clients[i]),
            ipAddressCode: ipCode,
            countryCode: country != TextVocabulary.none ? country : countryByIP[ipCode] ?? TextVocabulary.none,
            asnValue: asnValue)
    }

    func assemble(into nodes: inout [GraphNode], edges: inout [GraphEdge], networks: inout NetworkCodes) -> SessionChain {
        let start = NodeID(nodes.count)
        let firstEdge = edges.count
        // Sorted on keys read once per member: a comparison that read both events went to two
        // objects somewhere in memory, n log n times.
        let distance = [Event].prefetchDistance
        var timed: [(time: UTCInstant, member: SessionMember)] = []
        timed.reserveCapacity(members.count)
        for (position, member) in members.enumerated() {
            if position + distance < members.count { events.prefetch(Int(members[position + distance].event)) }
            timed.append((time: events[Int(member.event)].time, member: member))
        }
        let ordered = timed
            .sorted { a, b in a.time != b.time ? a.time < b.time : a.member.event < b.member.event }
            .map(\.member)
        let signIns = ordered.filter { events[Int($0.event)].kind == .signIn }
        let actions = ordered.filter { events[Int($0.event)].kind == .action }
        let first = events[Int(ordered[0].event)].time
        let last = ordered.map { events[Int($0.event)].time }.max() ?? first

        // The session anchor.
        let sessionNode = NodeID(nodes.count)
        nodes.append(GraphNode(kind: .session, event: nil, time: first, tokenKey: nil, context: context(of: ordered[0].event, networks: &networks), branch: 0, serviceSide: false))

        // Root: the earliest successful interactive sign-in.
        let rootMember = signIns.first { member in
            let event = events[Int(member.event)]
            return event.interactive == true && event.result != "failure"
        }
        var root: NodeID?
        var signInNode: [Int32: NodeID] = [:]
        var tokenNode: [CompactIdentifier: NodeID] = [:]
        if let rootMember {
            root = NodeID(nodes.count)
            let event = events[Int(rootMember.event)]
            nodes.append(GraphNode(kind: .root, event: rootMember.event, time: event.time, tokenKey: nil, context: context(of: rootMember.event, networks: &networks), branch: 0, serviceSide: false))
            edges.append(GraphEdge(from: sessionNode, to: root!, kind: .sessionToRoot, key: .sessionId))
            signInNode[rootMember.event] = root!
        }
        for member in signIns where member.event != rootMember?.event {
            let event = events[Int(member.event)]
            let id = NodeID(nodes.count)
            nodes.append(GraphNode(kind: .signIn, event: member.event, time: event.time, tokenKey: nil, context: context(of: member.event, networks: &networks), branch: 0, serviceSide: false))
            if let root {
                edges.append(GraphEdge(from: root, to: id, kind: .rootToSignIn, key: .sessionId))
            } else {
                edges.append(GraphEdge(from: sessionNode, to: id, kind: .sessionToSignIn, key: .sessionId))
            }
            signInNode[member.event] = id
        }
        // Tokens minted by the session's sign-ins.
        func addToken(_ uti: CompactIdentifier, mintedBy signIn: Int32, key: LinkKey) -> NodeID? {
            if let existing = tokenNode[uti] { return existing }
            guard let parent = signInNode[signIn] else { return nil }
            let event = events[Int(signIn)]
            let id = NodeID(nodes.count)
            nodes.append(GraphNode(kind: .token, event: signIn, time: event.time, tokenKey: NodeTokenKey(uti), context: context(of: signIn, networks: &networks), branch: 0, serviceSide: false))
            edges.append(GraphEdge(from: parent, to: id, kind: .signInToToken, key: key))
            tokenNode[uti] = id
            return id
        }
        for member in signIns {
            if let uti = events[Int(member.event)].tokenKey { _ = addToken(uti, mintedBy: member.event, key: .uniqueTokenId) }
        }
        // Actions: through their token when it resolves to a sign-in of this session, else by
        // session id alone.
        var actionCount = 0
        for member in actions {
            let event = events[Int(member.event)]
            var parent: NodeID?
            var kind = EdgeKind.sessionToAction
            var key = LinkKey.sessionId
            var device: UInt32?
            if let minting = member.minting, let uti = event.tokenKey,
               let token = addToken(uti, mintedBy: minting, key: member.link ?? .uniqueTokenId) {
                parent = token
                kind = .tokenToAction
                key = member.link ?? .uniqueTokenId
                // The token was minted for the sign-in's device (detections.md §1).
                device = nodes[Int(token)].context.deviceCode
            }
            let id = NodeID(nodes.count)
            // The action keeps its own network; its device is the token's when the token
            // resolves, else its own client family.
            var node = GraphNode(kind: .action, event: member.event, time: event.time, tokenKey: nil, context: context(of: member.event, device: device, networks: &networks), branch: 0, serviceSide: false)
            node.serviceSide = ServiceSide.isServiceSide(event, asn: node.context.asn)
            nodes.append(node)
            edges.append(GraphEdge(from: parent ?? sessionNode, to: id, kind: kind, key: key))
            actionCount += 1
        }
        // The session's edges in (source, target) order, as the graph's adjacency lists need
        // them: the session's node ids follow every earlier session's, so the graph's edges end
        // up sorted without a sort of them all (a serial step of 0.18 s at 4.9 GB). Every edge
        // enters a node made here, so no two edges share a target and the order is total.
        edges.withUnsafeMutableBufferPointer { $0[firstEdge...].sort { ($0.from, $0.to) < ($1.from, $1.to) } }
        let userEvent = (rootMember ?? signIns.first ?? ordered[0]).event
        return SessionChain(
            sessionId: sessionId, user: user, userPrincipalName: events[Int(userEvent)].userPrincipalName ?? ordered.lazy.compactMap { events[Int($0.event)].userPrincipalName }.first,
            nodes: start..<NodeID(nodes.count), root: root, sessionNode: sessionNode, branches: [],
            firstSeen: first, lastSeen: last, signIns: signIns.count, tokens: tokenNode.count, actions: actionCount,
            splitFromSharedId: false)
    }
}

/// The network key (``NetworkKey/of(ip:asn:)``) of each address and ASN seen by one run of
/// assembly jobs, as a vocabulary code: computed once per pair, not once per node.
struct NetworkCodes {
    private var codes: [UInt64: UInt32] = [:]

    mutating func code(ip: UInt32, asn: UInt32) -> UInt32 {
        let key = UInt64(ip) << 32 | UInt64(asn)
        if let known = codes[key] { return known }
        let vocabulary = TextVocabulary.shared
        let code = vocabulary.code(NetworkKey.of(ip: vocabulary.text(ip), asn: asn == 0 ? nil : Int(asn)))
        codes[key] = code
        return code
    }
}
