import Foundation

/// A finding as a rule emits it, before the detector applies caps, lifts and stable ids.
struct RawFinding {
    var rule: String
    var family: FindingFamily
    var severity: Severity
    /// Index into the graph's sessions, when the finding is about a session.
    var session: Int?
    var branch: Int32?
    /// Graph nodes the finding rests on (first is the most telling).
    var nodes: [NodeID] = []
    /// Events outside any session graph (orphan activity, service principals).
    var events: [Int32] = []
    var summary: String
    var reason: String
    /// Whether the roaming exemption may cap it at low (branch-context rules).
    var roamingCap = false
    var adjustments: [String] = []
}

/// What every rule reads, computed once per run. A class: every session's view holds it, and
/// copying the graph and the tables by value cost a reference-count operation per array per view.
final class DetectionInput: Sendable {
    let graph: InvestigationGraph
    let config: DetectionConfig
    let hostingASNs: Set<Int>
    let trusted: NetworkList
    /// Coordinates of each IP, learned from sign-in rows.
    let geoByIP: [String: (Double, Double)]
    /// Sign-in times per user key (object id, else UPN), sorted.
    let signInTimesByUser: [String: [UTCInstant]]
    /// Domains that are not external for mail forwarding.
    let tenantDomains: Set<String>
    /// The first three of them, sorted, as a finding's reason names them.
    let tenantDomainsText: String
    /// Networks each user (object id, else UPN) signed in from interactively and successfully.
    let interactiveNetworksByUser: [String: Set<String>]
    /// What the action rules ask of each distinct operation of the run.
    let operations: OperationTraitsTable

    init(graph: InvestigationGraph, config: DetectionConfig) {
        self.graph = graph
        self.config = config
        hostingASNs = DetectionConfig.builtInHostingASNs.union(config.hostingASNs)
        trusted = NetworkList(config.trustedNetworks)
        let facts = UserFacts(graph.events, tenantDomains: config.tenantDomains)
        geoByIP = facts.geo
        signInTimesByUser = facts.times.mapValues { $0.sorted() }
        tenantDomains = facts.domains
        tenantDomainsText = facts.domains.sorted().prefix(3).joined(separator: ", ")
        interactiveNetworksByUser = facts.interactive
        operations = OperationTraitsTable(codes: facts.operations)
    }

    func isHosting(_ asn: Int?) -> Bool { asn.map { hostingASNs.contains($0) } ?? false }

    /// Whether the node's network is on the trusted list (the address is read only when the list
    /// has entries: most runs have none).
    func isTrusted(_ context: NodeContext) -> Bool { !trusted.isEmpty && trusted.contains(ip: context.ipAddress, asn: context.asn) }

    /// Whether the user signed in within `window` seconds of `time`.
    func userSignedIn(_ user: String, near time: UTCInstant, window: Double) -> Bool {
        guard let times = signInTimesByUser[user] else { return false }
        let low = time.adding(seconds: -window), high = time.adding(seconds: window)
        let first = times.partitionIndex { $0 >= low }
        return first < times.count && times[first] <= high
    }
}

/// What the sign-ins say of each user and address, and the tenant's own mail domains.
private struct UserFacts: Sendable {
    var geo: [String: (Double, Double)] = [:]
    var times: [String: [UTCInstant]] = [:]
    var domains: Set<String>
    var interactive: [String: Set<String>] = [:]
    /// The vocabulary codes of the events' operations.
    var operations = CodeTable<Bool>()

    /// Learnt from chunks of the events on every core, keyed by vocabulary codes, then joined
    /// in event order (the first coordinates of an address win, as in one pass) and made text
    /// once per distinct user and address.
    init(_ events: [Event], tenantDomains: [String]) {
        domains = Set(tenantDomains.map { $0.lowercased() })
        let learnDomains = tenantDomains.isEmpty
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let parts = parallelChunks(count: events.count, chunkSize: max(1 << 16, (events.count + cores - 1) / cores)) { range in
            var part = LearntCodes()
            part.learn(events, range: range, learnDomains: learnDomains)
            return part
        }
        var learnt = LearntCodes()
        for part in parts {
            part.geo.forEach { code, value in if learnt.geo[code] == nil { learnt.geo[code] = value } }
            part.times.forEach { code, list in learnt.times.update(code, default: []) { $0 += list } }
            part.interactive.forEach { code, uses in learnt.interactive.update(code, default: []) { $0.formUnion(uses) } }
            part.operations.forEach { code, _ in learnt.operations[code] = true }
            domains.formUnion(part.domains)
        }
        // Keyed by text: two codes whose texts `==` holds equal share an entry, as when the
        // facts were gathered by text (for an address, the coordinates seen first win; a
        // user's times are joined in code order).
        let vocabulary = TextVocabulary.shared
        var firstGeo: [(code: UInt32, value: (latitude: Double, longitude: Double, first: Int))] = []
        learnt.geo.forEach { code, value in firstGeo.append((code, value)) }
        for (code, value) in firstGeo.sorted(by: { $0.value.first < $1.value.first }) {
            let ip = vocabulary.text(code)!
            if geo[ip] == nil { geo[ip] = (value.latitude, value.longitude) }
        }
        learnt.times.forEach { code, list in times[vocabulary.text(code)!, default: []] += list }
        operations = learnt.operations
        learnt.interactive.forEach { code, uses in
            interactive[vocabulary.text(code)!, default: []].formUnion(uses.map { NetworkKey.of(ip: vocabulary.text($0.ip), asn: $0.asn) })
        }
    }
}

/// What one chunk of events says, keyed by vocabulary codes (an array index, not a hash of a
/// string, per sign-in).
private struct LearntCodes: Sendable {
    /// An address's first coordinates and the index of the event that gave them.
    var geo = CodeTable<(latitude: Double, longitude: Double, first: Int)>()
    /// Sign-in times per user code (object id, else UPN).
    var times = CodeTable<[UTCInstant]>()
    /// The networks each user signed in from interactively and successfully: the ASN when
    /// known, else the address (``NetworkKey/of(ip:asn:)`` of the pair).
    var interactive = CodeTable<Set<NetworkUse>>()
    var operations = CodeTable<Bool>()
    var domains: Set<String> = []

    struct NetworkUse: Hashable, Sendable {
        var ip: UInt32
        var asn: Int?
    }

    mutating func learn(_ events: [Event], range: Range<Int>, learnDomains: Bool) {
        // Each distinct UPN once (by its vocabulary code): a domain comes from the first record
        // of each user, not from every record.
        var seenUPNs = CodeTable<Bool>()
        let failure = FactCodes.shared.failure
        for index in range {
            // Four lines: a sign-in's latitude and longitude lie in the object's last.
            events.prefetch(index + [Event].prefetchDistance, lines: 4)
            let event = events[index]
            let upnCode = event.userPrincipalNameCode
            if learnDomains, upnCode != TextVocabulary.none, seenUPNs[upnCode] == nil {
                seenUPNs[upnCode] = true
                if let upn = event.userPrincipalName, let at = upn.utf8.lastIndex(of: UInt8(ascii: "@")) {
                    domains.insert(String(upn[upn.utf8.index(after: at)...]))
                }
            }
            let operation = event.operationCode
            if operation != TextVocabulary.none { operations[operation] = true }
            guard event.kind == .signIn else { continue }
            let ip = event.ipAddressCode
            if ip != TextVocabulary.none, geo[ip] == nil, let lat = event.latitude, let lon = event.longitude { geo[ip] = (lat, lon, index) }
            let user = event.userIdCode != TextVocabulary.none ? event.userIdCode : event.userPrincipalNameCode
            guard user != TextVocabulary.none else { continue }
            times.update(user, default: []) { $0.append(event.time) }
            if event.interactive == true, event.outcomeCode != failure {
                let asn = event.asn
                interactive.update(user, default: []) { $0.insert(NetworkUse(ip: asn == nil ? ip : TextVocabulary.none, asn: asn)) }
            }
        }
    }
}

/// The vocabulary codes of the few fixed values the session facts compare with.
struct FactCodes: Sendable {
    static let shared = FactCodes()
    let emptyClient = TextVocabulary.shared.code("empty")
    let failure = TextVocabulary.shared.code("failure")
    let refreshToken = TextVocabulary.shared.code("refreshToken")
    let primaryRefreshToken = TextVocabulary.shared.code("primaryRefreshToken")
}

/// The facts of one branch that several rules read. A class: the rules read a session's
/// branches many times over, and each copy of the value retained its sets one by one.
final class BranchFacts: Sendable {
    let index: Int32
    /// Sign-in and action nodes (tokens and the anchor excluded), in time order.
    let nodes: [NodeID]
    let network: String
    let device: String
    let deviceIds: Set<String>
    /// Client families seen (the empty user agent excluded: it never counts as a change).
    let clients: Set<String>
    /// Client families of the branch's sign-ins alone (actions carry their app's user agent).
    let signInClients: Set<String>
    let countries: Set<String>
    let asns: Set<Int>
    let hosting: Bool
    let trusted: Bool
    let successful: Int
    let hasRefresh: Bool
    let hasActions: Bool
    let hasSignIns: Bool

    init(index: Int32, nodes: [NodeID], network: String, device: String, deviceIds: Set<String>, clients: Set<String>,
         signInClients: Set<String>, countries: Set<String>, asns: Set<Int>, hosting: Bool, trusted: Bool, successful: Int,
         hasRefresh: Bool, hasActions: Bool, hasSignIns: Bool) {
        self.index = index
        self.nodes = nodes
        self.network = network
        self.device = device
        self.deviceIds = deviceIds
        self.clients = clients
        self.signInClients = signInClients
        self.countries = countries
        self.asns = asns
        self.hosting = hosting
        self.trusted = trusted
        self.successful = successful
        self.hasRefresh = hasRefresh
        self.hasActions = hasActions
        self.hasSignIns = hasSignIns
    }
}

/// One session as the rules see it.
struct SessionView {
    let input: DetectionInput
    let index: Int
    let session: SessionChain
    let branches: [BranchFacts]
    /// For each client family seen on a sign-in that the root's device authenticated (it
    /// carries the device id), the branches where it was seen.
    let deviceClientBranches: [String: Set<Int32>]

    var graph: InvestigationGraph { input.graph }

    init(input: DetectionInput, index: Int) {
        self.input = input
        self.index = index
        let session = input.graph.sessions[index]
        self.session = session
        // The three tables read here, not the whole graph value (a copy retains every array of it).
        let nodeTable = input.graph.nodes, events = input.graph.events, clientCodes = input.graph.eventClientCodes
        let codes = FactCodes.shared
        branches = session.branches.map { branch in
            let nodes = branch.nodes.filter { nodeTable[Int($0)].kind != .token && nodeTable[Int($0)].kind != .session }
                .sorted { (nodeTable[Int($0)].time, $0) < (nodeTable[Int($1)].time, $1) }
            var asns = Set<Int>()
            var hosting = false, trusted = false, hasRefresh = false, hasActions = false, hasSignIns = false
            var successful = 0
            // Gathered as vocabulary codes (a branch repeats a handful of values over many
            // nodes); each distinct code becomes text once, at the end.
            var deviceIds = DistinctCodes(), clients = DistinctCodes(), signInClients = DistinctCodes(), countries = DistinctCodes()
            // A branch's nodes mostly share one network: an ASN is hashed into the set, and looked
            // up among the hosting ones, when it differs from the node before's.
            var lastASN: Int? = nil
            let distance = [Event].prefetchDistance / 2
            for (position, node) in nodes.enumerated() {
                // The fields read here (device id, token type, outcome) lie in the object's
                // first two cache lines.
                if position + distance < nodes.count, let ahead = nodeTable[Int(nodes[position + distance])].event {
                    events.prefetch(Int(ahead))
                }
                if position + 2 * distance < nodes.count, let further = nodeTable[Int(nodes[position + 2 * distance])].event {
                    events.prefetchSlot(Int(further))
                }
                let value = nodeTable[Int(node)]
                guard let eventIndex = value.event else { continue }
                let event = events[Int(eventIndex)]
                deviceIds.insert(event.deviceIdCode)
                let family = clientCodes[Int(eventIndex)]
                if family != codes.emptyClient {
                    clients.insert(family)
                    if event.kind == .signIn { signInClients.insert(family) }
                }
                countries.insert(value.context.countryCode)
                if let asn = value.context.asn, asn != lastASN {
                    lastASN = asn
                    asns.insert(asn)
                    if !hosting, input.isHosting(asn) { hosting = true }
                }
                if !trusted, event.trustedLocation == true || input.isTrusted(value.context) { trusted = true }
                if event.outcomeCode != codes.failure { successful += 1 }
                if event.kind == .action { hasActions = true }
                if event.kind == .signIn { hasSignIns = true }
                if event.kind == .signIn, event.interactive != true || event.incomingTokenTypeCode == codes.refreshToken || event.incomingTokenTypeCode == codes.primaryRefreshToken {
                    hasRefresh = true
                }
            }
            return BranchFacts(index: branch.index, nodes: nodes, network: branch.context.network, device: branch.context.device,
                               deviceIds: Set(deviceIds.texts), clients: Set(clients.texts), signInClients: Set(signInClients.texts),
                               countries: Set(countries.texts), asns: asns, hosting: hosting, trusted: trusted, successful: successful,
                               hasRefresh: hasRefresh, hasActions: hasActions, hasSignIns: hasSignIns)
        }
        var seen: [String: Set<Int32>] = [:]
        if let reference = branches.first, let referenceBranch = session.branches.first, reference.deviceIds.contains(reference.device) {
            let device = referenceBranch.context.deviceCode
            // Gathered by family code (a handful a device), then made text once each: a string
            // hashed for every sign-in was a tenth of the session facts.
            var byFamily: [(family: UInt32, branches: Set<Int32>)] = []
            for node in session.nodes {
                guard let eventIndex = nodeTable[Int(node)].event else { continue }
                let event = events[Int(eventIndex)]
                guard event.kind == .signIn, event.deviceIdCode == device else { continue }
                let family = clientCodes[Int(eventIndex)]
                guard family != codes.emptyClient else { continue }
                let branch = nodeTable[Int(node)].branch
                if let at = byFamily.firstIndex(where: { $0.family == family }) {
                    byFamily[at].branches.insert(branch)
                } else {
                    byFamily.append((family, [branch]))
                }
            }
            for (family, branches) in byFamily {
                if let text = TextVocabulary.shared.text(family) { seen[text, default: []].formUnion(branches) }
            }
        }
        deviceClientBranches = seen
    }

    /// The reference branch: the root's, else the earliest node's.
    var reference: BranchFacts { branches[0] }

    /// Whether `branch` is on the root's own device (a non-empty device id).
    func onRootDevice(_ branch: BranchFacts) -> Bool {
        reference.deviceIds.contains(reference.device) && branch.device == reference.device
    }

    /// The client families of `branch` that are new. On the root's own device (roaming), only
    /// the branch's sign-ins count (apps get their tokens from the device's sign-ins), and a
    /// family is known when the root branch used it or the device authenticated with it in
    /// another branch: a stolen PRT cookie carries the victim's device id, so the branch's own
    /// sign-ins cannot vouch for themselves. Elsewhere every client is compared with the root branch.
    func newClients(_ branch: BranchFacts) -> Set<String> {
        guard onRootDevice(branch) else { return branch.clients.subtracting(reference.clients) }
        // The Windows broker (WAM) renewing the device's own PRT is the device itself.
        return branch.signInClients.filter { family in
            guard !family.hasPrefix("broker/"), !reference.clients.contains(family) else { return false }
            // Seen in no branch but this one (asked without copying the set, which can hold
            // every branch of a long session).
            guard let seen = deviceClientBranches[family] else { return true }
            return seen.isEmpty || (seen.count == 1 && seen.contains(branch.index))
        }
    }

    /// The facts of the branch numbered `index`, found by halving (the branch assigner lists
    /// branches in index order), not by a scan per finding; by a scan when a caller of the
    /// library reordered a session's branches.
    func facts(ofBranch index: Int32) -> BranchFacts? {
        let position = branches.partitionIndex { $0.index >= index }
        if position < branches.count && branches[position].index == index { return branches[position] }
        return branches.first { $0.index == index }
    }

    var rootEvent: Event? { session.root.flatMap { graph.event(of: $0) } }

    func event(_ node: NodeID) -> Event? { graph.event(of: node) }

    /// Coordinates of a node: its own (sign-ins), else those learned for its IP.
    func geo(_ node: NodeID) -> (Double, Double)? {
        guard let event = graph.event(of: node) else { return nil }
        if let lat = event.latitude, let lon = event.longitude { return (lat, lon) }
        return event.ipAddress.flatMap { input.geoByIP[$0] }
    }

    func user() -> String? { session.userPrincipalName ?? session.user }

    /// `AS14061/NL` style description of a branch.
    func describe(_ facts: BranchFacts) -> String {
        var parts = [facts.network]
        if !facts.countries.isEmpty { parts.append(facts.countries.sorted().joined(separator: "+")) }
        parts.append(facts.device)
        return parts.joined(separator: "/")
    }
}

/// A rule over one session's graph.
protocol SessionRule: Sendable {
    var id: String { get }
    var family: FindingFamily { get }
    func evaluate(_ view: SessionView) -> [RawFinding]
}

/// A rule over the whole run (activity outside any session, service principals).
protocol RunRule: Sendable {
    var id: String { get }
    var family: FindingFamily { get }
    func evaluate(_ input: DetectionInput) -> [RawFinding]
}
