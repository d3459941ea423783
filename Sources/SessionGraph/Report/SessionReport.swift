import Foundation

/// Stable JSON summaries of sessions (`sessions.json`, `sessions --format json`) and the full
/// detail of one session (`session SID --format json`).
public enum SessionReport {
    public struct BranchSummary: Codable, Sendable {
        public var index: Int
        public var isRoot: Bool
        public var network: String
        public var device: String
        public var asn: Int?
        public var country: String?
        public var countries: [String]
        public var clients: [String]
        public var ipAddresses: [String]
        public var branchPoint: Int
        public var divergenceFrom: Int?
        public var firstSeen: String
        public var lastSeen: String
        public var nodes: Int
    }

    public struct SessionSummary: Codable, Sendable {
        public var sessionId: String
        public var user: String?
        public var userPrincipalName: String?
        public var start: String
        public var end: String
        public var root: String
        public var rootTime: String?
        public var signIns: Int
        public var tokens: Int
        public var actions: Int
        public var networks: [String]
        public var devices: [String]
        public var countries: [String]
        public var splitFromSharedId: Bool
        public var branches: [BranchSummary]
    }

    public static func summary(_ session: SessionChain, in graph: InvestigationGraph) -> SessionSummary {
        // Addresses and device ids are gathered as vocabulary codes, in order of first
        // appearance, and made text once each (a branch repeats a few values over many nodes).
        let nodes = graph.nodes, events = graph.events
        let branches = session.branches.map { branch -> BranchSummary in
            var addresses = DistinctCodes()
            for node in branch.nodes {
                addresses.insert(nodes[Int(node)].context.ipAddressCode)
            }
            return BranchSummary(
                index: Int(branch.index), isRoot: branch.isRoot, network: branch.context.network, device: branch.context.device,
                asn: branch.context.asn, country: branch.context.country, countries: branch.countries, clients: branch.userAgents,
                ipAddresses: addresses.texts, branchPoint: Int(branch.branchPoint), divergenceFrom: branch.divergenceFrom.map(Int.init),
                firstSeen: branch.firstSeen.iso8601, lastSeen: branch.lastSeen.iso8601, nodes: branch.nodes.count)
        }
        var devices = DistinctCodes()
        for node in session.nodes {
            guard let event = nodes[Int(node)].event else { continue }
            devices.insert(events[Int(event)].deviceIdCode)
        }
        return SessionSummary(
            sessionId: session.sessionId, user: session.user, userPrincipalName: session.userPrincipalName,
            start: (session.root.map { graph.nodes[Int($0)].time } ?? session.firstSeen).iso8601, end: session.lastSeen.iso8601,
            root: session.root == nil ? "absent" : "present", rootTime: session.root.map { graph.nodes[Int($0)].time.iso8601 },
            signIns: session.signIns, tokens: session.tokens, actions: session.actions,
            networks: session.branches.map(\.context.network).uniqued(), devices: devices.texts,
            countries: session.branches.flatMap(\.countries).uniqued(), splitFromSharedId: session.splitFromSharedId,
            branches: branches)
    }

    /// `sessions.json`: `{"schemaVersion": 1, "sessions": [...], "unlinked": {...}, "dataErrors": [...]}`,
    /// keys in sorted order, one session per line. Written directly: a large run has tens of
    /// thousands of sessions, and JSONEncoder was most of the output stage's time on them.
    public static func sessionsDocument(_ sessions: [SessionChain], in graph: InvestigationGraph) -> Data {
        var text = ""
        writeSessions(sessions, in: graph, to: &text)
        return Data(text.utf8)
    }

    /// ``sessionsDocument(_:in:)`` written to `stream`; `filter` (`--redact`) applied once to
    /// each session's encoded line (its keys included) and to each other value, not to the
    /// document's outer keys.
    public static func writeSessions(_ sessions: [SessionChain], in graph: InvestigationGraph, to stream: inout some TextOutputStream,
                                     filter: (@Sendable (String) -> String)? = nil) {
        let shown: @Sendable (String) -> String = filter ?? { $0 }
        let compact = JSONEncoder()
        compact.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func encoded<T: Encodable>(_ value: T) -> String {
            shown(String(decoding: (try? compact.encode(value)) ?? Data("{}".utf8), as: UTF8.self))
        }
        var document = JSONDocumentWriter(into: stream)
        document.lines("dataErrors", graph.dataErrors.map(encoded))
        document.member("schemaVersion", shown("1"))
        // Each session's line is independent: made in chunks on every core, written in order,
        // a chunk at a time.
        document.openLines("sessions")
        forEachEncodedChunk(sessions, { shown(line(summary($0, in: graph))) }) { chunk in
            for text in chunk { document.line(text) }
        }
        document.closeLines()
        document.member("unlinked", encoded(graph.unlinked))
        stream = document.finish()
    }

    /// One session summary as a JSON object on one line, keys sorted, absent values left out:
    /// the same JSON value JSONEncoder gives the Codable value (escapes may be spelt differently).
    static func line(_ summary: SessionSummary) -> String {
        var object = JSONObjectWriter()
        object.int("actions", summary.actions)
        object.objects("branches", summary.branches) { branch, entry in
            entry.int("asn", branch.asn)
            entry.int("branchPoint", branch.branchPoint)
            entry.strings("clients", branch.clients, keepEmpty: true)
            entry.strings("countries", branch.countries, keepEmpty: true)
            entry.string("country", branch.country)
            entry.string("device", branch.device)
            entry.int("divergenceFrom", branch.divergenceFrom)
            entry.string("firstSeen", branch.firstSeen)
            entry.int("index", branch.index)
            entry.strings("ipAddresses", branch.ipAddresses, keepEmpty: true)
            entry.bool("isRoot", branch.isRoot)
            entry.string("lastSeen", branch.lastSeen)
            entry.string("network", branch.network)
            entry.int("nodes", branch.nodes)
        }
        object.strings("countries", summary.countries, keepEmpty: true)
        object.strings("devices", summary.devices, keepEmpty: true)
        object.string("end", summary.end)
        object.strings("networks", summary.networks, keepEmpty: true)
        object.string("root", summary.root)
        object.string("rootTime", summary.rootTime)
        object.string("sessionId", summary.sessionId)
        object.int("signIns", summary.signIns)
        object.bool("splitFromSharedId", summary.splitFromSharedId)
        object.string("start", summary.start)
        object.int("tokens", summary.tokens)
        object.string("user", summary.user)
        object.string("userPrincipalName", summary.userPrincipalName)
        return object.finish()
    }

    public struct NodeDetail: Codable, Sendable {
        public var id: Int
        public var kind: NodeKind
        public var time: String
        public var branch: Int
        public var serviceSide: Bool
        public var network: String
        public var device: String
        public var token: String?
        public var source: String?
        public var summary: String?
        public var ipAddress: String?
        public var country: String?
        public var userAgent: String?
        public var file: String?
        public var line: Int?
        public var record: Int?
    }

    public struct EdgeDetail: Codable, Sendable {
        public var from: Int
        public var to: Int
        public var kind: EdgeKind
        public var key: LinkKey
    }

    public struct CollapsedDetail: Codable, Sendable {
        public var kind: NodeKind
        public var branch: Int
        public var label: String
        public var count: Int
        public var firstSeen: String
        public var lastSeen: String
        public var parent: Int?
        public var nodes: [Int]
    }

    public static func nodeDetail(_ node: NodeID, in graph: InvestigationGraph) -> NodeDetail {
        let value = graph.nodes[Int(node)]
        let event = value.kind == .session ? nil : graph.event(of: node)
        return NodeDetail(
            id: Int(node), kind: value.kind, time: value.time.iso8601, branch: Int(value.branch), serviceSide: value.serviceSide,
            network: value.context.network, device: value.context.device, token: value.token,
            source: event?.source.rawValue, summary: event.map(\.summaryLine), ipAddress: value.context.ipAddress,
            country: value.context.country, userAgent: value.kind == .token ? nil : event?.userAgent,
            file: event.flatMap { graph.files.indices.contains(Int($0.provenance.fileIndex)) ? graph.files[Int($0.provenance.fileIndex)] : nil },
            line: event.map { Int($0.provenance.line) }, record: event.map { Int($0.provenance.record) })
    }

    /// The whole chain of one session: summary, every node and edge, and the collapsed view.
    public static func detailDocument(_ sessions: [SessionChain], in graph: InvestigationGraph) -> Data {
        struct Detail: Encodable {
            var summary: SessionSummary
            var nodes: [NodeDetail]
            var edges: [EdgeDetail]
            var collapsed: [CollapsedDetail]
        }
        struct Document: Encodable {
            var schemaVersion = 1
            var sessions: [Detail]
        }
        let details = sessions.map { session -> Detail in
            let nodes = session.nodes.sorted { (graph.nodes[Int($0)].time, $0) < (graph.nodes[Int($1)].time, $1) }
            let edges = session.nodes.flatMap { graph.outgoing($0) }.map { EdgeDetail(from: Int($0.from), to: Int($0.to), kind: $0.kind, key: $0.key) }
            let collapsed = ChainCollapser.collapse(session, in: graph).map {
                CollapsedDetail(kind: $0.kind, branch: Int($0.branch), label: $0.label, count: $0.count, firstSeen: $0.firstSeen.iso8601, lastSeen: $0.lastSeen.iso8601, parent: $0.parent, nodes: $0.nodes.map(Int.init))
            }
            return Detail(summary: summary(session, in: graph), nodes: nodes.map { nodeDetail($0, in: graph) }, edges: edges, collapsed: collapsed)
        }
        return encode(Document(sessions: details))
    }

    static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }
}
