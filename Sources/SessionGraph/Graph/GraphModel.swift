/// Index of a node in ``InvestigationGraph/nodes``.
public typealias NodeID = Int32

/// What a node stands for in a session chain.
public enum NodeKind: String, Sendable, Codable {
    /// The session id itself: the anchor of actions linked by session id alone.
    case session
    /// The interactive authentication that minted the session id (earliest successful
    /// interactive sign-in of the session in the data).
    case root
    /// Any other sign-in of the session: refresh-token / PRT redemptions, later interactive
    /// sign-ins, failures.
    case signIn
    /// A unique token identifier minted by a sign-in.
    case token
    /// A workload action: a Graph request, an audit record, a CloudAppEvents row.
    case action
}

/// What an edge says.
public enum EdgeKind: String, Sendable, Codable {
    /// session → root: the interactive authentication that minted the session id.
    case sessionToRoot = "session-root"
    /// session → sign-in: a sign-in of a session whose root is absent from the data.
    case sessionToSignIn = "session-signin"
    /// root → sign-in: the same session, a later sign-in.
    case rootToSignIn = "root-signin"
    /// sign-in → token: the token the sign-in minted.
    case signInToToken = "signin-token"
    /// token → action: the action was done with that token.
    case tokenToAction = "token-action"
    /// session → action: only the session id links them (the token is unknown).
    case sessionToAction = "session-action"
}

/// The identifier that linked an edge.
public enum LinkKey: String, Sendable, Codable {
    /// The session id (case-insensitive).
    case sessionId
    /// The unique token identifier, exact and case-sensitive.
    case uniqueTokenId
    /// The sign-in request id that the action's token id decodes to (schemas.md §1.1).
    case requestIdFromToken
}

/// Network and device context of a node, used to group nodes into branches
/// (detections.md §1).
///
/// Held as ``TextVocabulary`` codes (20 bytes where five strings took 80): a run has a node
/// per sign-in, token and action, and a handful of distinct contexts per session.
public struct NodeContext: Sendable, Hashable {
    let networkCode: UInt32
    let deviceCode: UInt32
    let ipAddressCode: UInt32
    let countryCode: UInt32
    /// 0 when unknown (ASNs are positive 32-bit numbers, RFC 6793).
    let asnValue: UInt32

    /// `AS<n>` when the ASN is known, else the IPv4 /24 or IPv6 /48 prefix, else `unknown`.
    public var network: String { TextVocabulary.shared.text(networkCode) ?? "unknown" }
    /// The Entra device id when present, else the client family (`browser:edge/windows`).
    public var device: String { TextVocabulary.shared.text(deviceCode) ?? "empty" }
    public var ipAddress: String? { TextVocabulary.shared.text(ipAddressCode) }
    public var asn: Int? { asnValue == 0 ? nil : Int(asnValue) }
    public var country: String? { TextVocabulary.shared.text(countryCode) }

    /// An ASN outside 1…2³²−1 is not an ASN and is taken as unknown.
    public init(network: String, device: String, ipAddress: String?, asn: Int?, country: String?) {
        let vocabulary = TextVocabulary.shared
        self.init(networkCode: vocabulary.code(network), deviceCode: vocabulary.code(device), ipAddressCode: vocabulary.code(ipAddress),
                  countryCode: vocabulary.code(country), asnValue: asn.flatMap { UInt32(exactly: $0) } ?? 0)
    }

    init(networkCode: UInt32, deviceCode: UInt32, ipAddressCode: UInt32, countryCode: UInt32, asnValue: UInt32) {
        self.networkCode = networkCode
        self.deviceCode = deviceCode
        self.ipAddressCode = ipAddressCode
        self.countryCode = countryCode
        self.asnValue = asnValue
    }
}

/// One node of a session's graph: its anchor, its root, a sign-in, a token or an action.
///
/// Laid out in 56 bytes (72 with the fields in the order of the initialiser and the event as an
/// optional): the passes over millions of nodes, and the join that copies them, move a fifth
/// less memory.
public struct GraphNode: Sendable {
    public var time: UTCInstant
    var tokenKey: NodeTokenKey?
    public var kind: NodeKind
    /// An action Microsoft's own services made (first-party app from AS8075): it never starts a branch.
    public var serviceSide: Bool
    /// ``event``, or -1 for none.
    private var eventIndex: Int32
    public var context: NodeContext
    /// Index into the session's ``SessionChain/branches``.
    public var branch: Int32

    init(kind: NodeKind, event: Int32?, time: UTCInstant, tokenKey: NodeTokenKey?, context: NodeContext, branch: Int32, serviceSide: Bool) {
        self.time = time
        self.tokenKey = tokenKey
        self.kind = kind
        self.serviceSide = serviceSide
        assert((event ?? 0) >= 0, "a node's event is an index into the events")
        eventIndex = event ?? -1
        self.context = context
        self.branch = branch
    }

    /// The event the node stands for (for token nodes: the sign-in that minted it; for the
    /// session node: none).
    public var event: Int32? {
        get { eventIndex >= 0 ? eventIndex : nil }
        set {
            assert((newValue ?? 0) >= 0, "a node's event is an index into the events")
            eventIndex = newValue ?? -1
        }
    }

    /// The unique token identifier of a token node.
    public var token: String? { tokenKey?.identifier.text }
}

/// A token node's identifier as plain data: the two compact forms of ``CompactIdentifier`` as
/// they are, any other text as its vocabulary code. With no reference inside, a node is plain
/// bytes, so the arrays of millions of nodes grow and copy without retaining anything (a
/// ``CompactIdentifier`` may hold a string, which made every node copy go through the value
/// witness).
struct NodeTokenKey: Hashable, Sendable {
    private let high: UInt64
    private let low: UInt64
    private let form: Form

    /// An enumeration, not a number: its unused values let an optional key take no extra byte.
    private enum Form: UInt8 {
        case guid, token
        /// A vocabulary code, in `low`.
        case code
    }

    init(_ identifier: CompactIdentifier) {
        switch identifier {
        case let .guid(high, low): (self.high, self.low, form) = (high, low, .guid)
        case let .token(high, low): (self.high, self.low, form) = (high, low, .token)
        case let .text(text): (high, low, form) = (0, UInt64(TextVocabulary.shared.code(text)), .code)
        }
    }

    var identifier: CompactIdentifier {
        switch form {
        case .guid: return .guid(high, low)
        case .token: return .token(high, low)
        case .code: return .text(TextVocabulary.shared.text(UInt32(truncatingIfNeeded: low)) ?? "")
        }
    }
}

public struct GraphEdge: Sendable, Hashable {
    public var from: NodeID
    public var to: NodeID
    public var kind: EdgeKind
    public var key: LinkKey
}

/// A group of a session's nodes sharing network and device (detections.md §1). The group of the
/// root is the root branch; every other group is a branch that starts at its branch point,
/// entered through its divergence edge.
public struct Branch: Sendable {
    public var index: Int32
    public var context: NodeContext
    public var isRoot: Bool
    /// Earliest node of the branch.
    public var branchPoint: NodeID
    /// The edge into the branch point: from the latest earlier node of another branch
    /// (`from`), or the token→action edge when an action forks from its token.
    public var divergenceFrom: NodeID?
    public var nodes: [NodeID]
    public var firstSeen: UTCInstant
    public var lastSeen: UTCInstant
    /// Countries and client families seen in the branch.
    public var countries: [String]
    public var userAgents: [String]
}

/// A data problem found while linking (not a detection).
public struct DataError: Sendable, Codable, Equatable {
    public var kind: String
    public var sessionId: String?
    public var message: String
}

/// One session's directed graph: its nodes are a contiguous range of the graph's node array.
public struct SessionChain: Sendable {
    public var sessionId: String
    /// The user (object id, else UPN) the session belongs to.
    public var user: String?
    public var userPrincipalName: String?
    public var nodes: Range<NodeID>
    /// The root node, or `nil` when no successful interactive sign-in of the session is in the
    /// data ("root absent": the session was minted before or outside the export).
    public var root: NodeID?
    public var sessionNode: NodeID
    public var branches: [Branch]
    public var firstSeen: UTCInstant
    public var lastSeen: UTCInstant
    public var signIns: Int
    public var tokens: Int
    public var actions: Int
    /// Set when this session id was also seen with another user (split, not merged).
    public var splitFromSharedId: Bool

    /// The user a finding about this session names: the UPN, else the user.
    public var namedUser: String? { userPrincipalName ?? user }
}

/// What the graph could not link, counted.
public struct UnlinkedCounts: Sendable, Codable, Equatable {
    /// Service-principal and managed-identity sign-ins (their session ids never chain).
    public var workloadIdentitySignIns = 0
    /// Actions done by an app with no user (app-only Graph calls, system records).
    public var appOnlyActions = 0
    /// User actions with neither a session id nor a token that matched a sign-in.
    public var unlinkedActions = 0
    /// User sign-ins without a session id.
    public var signInsWithoutSession = 0

    mutating func add(_ other: UnlinkedCounts) {
        workloadIdentitySignIns += other.workloadIdentitySignIns
        appOnlyActions += other.appOnlyActions
        unlinkedActions += other.unlinkedActions
        signInsWithoutSession += other.signInsWithoutSession
    }
}

/// An action and the sign-in that minted its token (event indexes).
struct TokenUse: Sendable {
    var action: Int32
    var signIn: Int32
}

/// The linked graph of a whole run: every session's chain, in compact storage (integer node
/// ids, edges in arrays with an offset index per node).
public struct InvestigationGraph: Sendable {
    public internal(set) var events: [Event]
    /// The client family of each event's user agent (``ClientFamily``) as a vocabulary code,
    /// computed once per distinct user agent.
    var eventClientCodes: [UInt32]
    public var files: [String]
    public var nodes: [GraphNode]
    public var edges: [GraphEdge]
    /// `outgoing[n]..<outgoing[n+1]` indexes the edges leaving node `n` (edges are sorted by source).
    public var outgoingOffsets: [Int32]
    public var sessions: [SessionChain]
    public var dataErrors: [DataError]
    public var unlinked: UnlinkedCounts

    /// The edges leaving `node`.
    public func outgoing(_ node: NodeID) -> ArraySlice<GraphEdge> {
        edges[Int(outgoingOffsets[Int(node)])..<Int(outgoingOffsets[Int(node) + 1])]
    }

    /// The edge entering `node` (every node but a session anchor has exactly one parent).
    public func incoming(_ node: NodeID) -> GraphEdge? {
        parents[Int(node)] >= 0 ? edges[Int(parents[Int(node)])] : nil
    }

    /// Index of the edge entering each node, or -1.
    var parents: [Int32]

    /// The actions whose token id matched no sign-in, by token id or by the request id decoded
    /// from it, in event order: found by the link stage's lookups, for the orphan-token rule.
    let unmatchedTokenActions: [Int32]

    /// The actions done with a token that a service principal's sign-in minted (matched by token
    /// id, the link's minting sign-in), with that sign-in, in event order: for the app-only
    /// token replay rule.
    let servicePrincipalTokenUses: [TokenUse]

    /// Each address's ASN (vocabulary code to number), from the first event that reported one.
    let asnByIP: CodeTable<Int>

    public func event(of node: NodeID) -> Event? {
        nodes[Int(node)].event.map { events[Int($0)] }
    }

    /// The client family of the event behind `node` (`empty` for none).
    public func client(of node: NodeID) -> String {
        nodes[Int(node)].event.map(client(ofEvent:)) ?? "empty"
    }

    /// The client family of event `index` (`empty` for none).
    public func client(ofEvent index: Int32) -> String {
        TextVocabulary.shared.text(eventClientCodes[Int(index)]) ?? "empty"
    }

    /// The session containing `node`.
    public func session(containing node: NodeID) -> SessionChain? {
        let position = sessions.partitionIndex { $0.nodes.upperBound > node }
        return position < sessions.count && sessions[position].nodes.contains(node) ? sessions[position] : nil
    }
}
