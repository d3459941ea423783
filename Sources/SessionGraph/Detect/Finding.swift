/// How urgent a finding is.
public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    case info, low, medium, high

    var rank: Int {
        switch self {
        case .info: return 0
        case .low: return 1
        case .medium: return 2
        case .high: return 3
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// The family a finding belongs to. These names are a stable contract.
public enum FindingFamily: String, Sendable, Codable, CaseIterable {
    /// A branch whose network, country, device or client differs from the root branch.
    case contextDivergence = "context-divergence"
    /// One token used away from the sign-in that minted it, or past its lifetime.
    case tokenReplay = "token-replay"
    /// Two nodes of one session too far apart for the time between them.
    case impossibleTravel = "impossible-travel"
    /// Workload activity whose token and session match no sign-in although the user's
    /// sign-ins of that time are in the data.
    case orphanToken = "orphan-token"
    /// A post-compromise action (inbox rule, forwarding, persistence, bulk access, recon, mass send).
    case riskyAction = "risky-action"
    /// The session's root was a device-code flow or another initial-access pattern (AiTM kit).
    case deviceCodeRoot = "device-code-root"
    /// A session seen without its root where the first network never signed in interactively.
    case rootAbsent = "root-absent"
}

/// A graph node (or, for activity outside any session, an event) that a finding rests on.
public struct Evidence: Sendable, Codable, Equatable {
    /// The graph node id, when the record is in a session graph.
    public var node: Int?
    public var kind: String
    public var time: String
    public var file: String?
    public var line: Int
    public var record: Int
    public var summary: String
}

/// One detection: which rule fired, where, why, and on which records.
public struct Finding: Sendable, Codable {
    /// Stable across runs on the same input: derived from the rule, the session and the
    /// evidence records' file positions.
    public var id: String
    public var rule: String
    public var family: FindingFamily
    public var severity: Severity
    public var sessionId: String?
    public var user: String?
    public var firstSeen: String
    public var lastSeen: String
    /// One sentence an analyst can paste into a ticket.
    public var summary: String
    /// Which values differed.
    public var reason: String
    /// The branch of the session the finding is about, when there is one.
    public var branch: Int?
    /// Why the severity differs from the rule's base severity (roaming cap, allow-list, ancestry lift).
    public var adjustments: [String]
    public var evidence: [Evidence]
    /// How many evidence records there were (only the first 50 are listed).
    public var evidenceCount: Int
}

extension Finding {
    /// Whether the finding is about `session`: the same session id, and, for a session id the
    /// link split between users (``SessionChain/splitFromSharedId``; the id alone would give each
    /// user the other's findings), the session that holds the finding's evidence nodes, else (a
    /// finding with no node) the user the finding names. Nodes tell the halves apart even when
    /// two users share a UPN (a name reused after an account was deleted).
    public func isAbout(_ session: SessionChain) -> Bool {
        guard sessionId == session.sessionId else { return false }
        guard session.splitFromSharedId else { return true }
        if let node = evidence.lazy.compactMap(\.node).first { return session.nodes.contains(NodeID(clamping: node)) }
        return user == session.namedUser
    }
}
