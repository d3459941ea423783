import Foundation

/// The graph stage: links the ingest stage's events into one directed graph per session, in
/// one pass over indexes built once (schemas.md §8 join recipes):
///
/// 1. index sign-ins by token id and by request id, and learn each IP's ASN from sign-ins;
/// 2. resolve every action's minting sign-in (exact token id, else the decoded request id);
/// 3. group events by (session id, user), splitting a session id seen with two users;
/// 4. per session: session anchor, root, sign-ins, tokens, actions and their edges;
/// 5. group the session's nodes into branches (``BranchAssigner``).
public enum GraphBuilder {
    public static func build(_ ingest: IngestResult) -> InvestigationGraph {
        build(events: ingest.events, files: ingest.files.map(\.path))
    }

    public static func build(events: [Event], files: [String]) -> InvestigationGraph {
        var unlinked = UnlinkedCounts()
        var dataErrors: [DataError] = []
        var profile = StepProfile("link")
        defer { profile.report() }

        // 1. Indexes: the token index and the context index read the events independently, so
        // they are built side by side.
        let (tokens, context) = inParallel({ TokenIndex(events) }, { ContextIndex(events) })
        let eventClients = context.eventClientCodes, upnToUser = context.upnToUser, asnByIP = context.asnByIP, countryByIP = context.countryByIP
        /// The user an event belongs to (object id, else the UPN's object id, else the UPN), as
        /// a vocabulary code; nil for none.
        @Sendable func userKey(_ index: Int) -> UInt32? {
            let user = events[index].userIdCode
            if user != TextVocabulary.none { return user }
            let upn = events[index].userPrincipalNameCode
            return upn == TextVocabulary.none ? nil : upnToUser[upn] ?? upn
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        profile.mark("indexes")

        // 2–3. Minting sign-in of each action, and the session each event belongs to (keyed by
        // the session id's vocabulary code): found in chunks on every core, then grouped in
        // event order.
        let placements = parallelChunks(count: events.count, chunkSize: max(1 << 15, (events.count + cores - 1) / cores)) { range in
            var chunk = PlacedChunk()
            for index in range {
                events.prefetch(index + [Event].prefetchDistance)
                tokens.prefetchMintingSignIn(of: events, at: index + [Event].prefetchDistance / 2)
                if let placed = place(index, events: events, tokens: tokens, noting: &chunk, userKey: userKey) {
                    chunk.placed.append(placed)
                }
            }
            return chunk
        }
        profile.mark("place")
        for chunk in placements { unlinked.add(chunk.unlinked) }
        let unmatchedTokenActions = Array(placements.map(\.unmatchedTokens).joined())
        let servicePrincipalTokenUses = Array(placements.map(\.servicePrincipalTokenUses).joined())
        let groups = SessionGroups(placements)
        profile.mark("group")

        // 4. Nodes and edges, session by session, in order of first appearance. Each session's
        // members are split per user in chunks on every core; the sessions are then assembled
        // in chunks on every core and the chunks appended in order, so node ids do not depend
        // on scheduling.
        let order = groups.order
        let groupings = parallelChunks(count: order.count, chunkSize: max(256, (order.count + cores - 1) / cores)) { range in
            var chunk: (jobs: [AssemblyJob], errors: [DataError]) = ([], [])
            for number in range {
                jobsForSession(order[number], members: groups.members(of: number), events: events, into: &chunk)
            }
            return chunk
        }
        var jobs: [AssemblyJob] = []
        jobs.reserveCapacity(order.count)
        for chunk in groupings {
            jobs.append(contentsOf: chunk.jobs)
            dataErrors.append(contentsOf: chunk.errors)
        }
        profile.mark("split per user")
        // One chunk per core: joining chunks copies their nodes, and the first is taken as it is.
        let chunkSize = max(256, (jobs.count + ProcessInfo.processInfo.activeProcessorCount - 1) / ProcessInfo.processInfo.activeProcessorCount)
        let work = jobs
        var chunks = parallelChunks(count: work.count, chunkSize: chunkSize) { range in
            var local = AssembledChunk()
            // At most an anchor per chain and a node and a token per member: never regrown. The
            // first chunk's arrays become the graph's, so they have room for every chunk's
            // nodes and edges: joining appends the others in place instead of copying the first
            // into a larger array (room never written takes no resident memory, though a
            // system with strict overcommit counts it).
            let roomFor = range.lowerBound == 0 ? work[...] : work[range]
            let bound = roomFor.reduce(0) { $0 + 1 + 2 * $1.members.count }
            local.nodes.reserveCapacity(bound)
            local.edges.reserveCapacity(bound)
            local.sessions.reserveCapacity(roomFor.count)
            var networks = NetworkCodes()
            for job in work[range] {
                var chain = SessionAssembler(events: events, clients: eventClients, sessionId: job.sessionId, user: job.user, members: job.members, asnByIP: asnByIP, countryByIP: countryByIP)
                    .assemble(into: &local.nodes, edges: &local.edges, networks: &networks)
                chain.splitFromSharedId = job.split
                local.sessions.append(chain)
            }
            return local
        }
        profile.mark("assemble")
        var nodes: [GraphNode] = []
        var edges: [GraphEdge] = []
        var sessions: [SessionChain] = []
        if !chunks.isEmpty {
            swap(&nodes, &chunks[0].nodes)
            swap(&edges, &chunks[0].edges)
            swap(&sessions, &chunks[0].sessions)
            chunks.removeFirst()
            nodes.reserveCapacity(nodes.count + chunks.reduce(0) { $0 + $1.nodes.count })
            edges.reserveCapacity(edges.count + chunks.reduce(0) { $0 + $1.edges.count })
            sessions.reserveCapacity(jobs.count)
        }
        for chunk in chunks {
            let base = NodeID(nodes.count)
            nodes.append(contentsOf: chunk.nodes)
            edges.append(contentsOf: chunk.edges.lazy.map { GraphEdge(from: $0.from + base, to: $0.to + base, kind: $0.kind, key: $0.key) })
            for var session in chunk.sessions {
                session.nodes = (session.nodes.lowerBound + base)..<(session.nodes.upperBound + base)
                session.root = session.root.map { $0 + base }
                session.sessionNode += base
                sessions.append(session)
            }
        }

        profile.mark("join")
        // CSR: edges sorted by source (each session's assembler sorted its own, and sessions'
        // node ids ascend), offsets per node; parent edge per node.
        assert(zip(edges, edges.dropFirst()).allSatisfy { ($0.from, $0.to) < ($1.from, $1.to) }, "edges in (source, target) order")
        var offsets = [Int32](repeating: 0, count: nodes.count + 1)
        for edge in edges { offsets[Int(edge.from) + 1] += 1 }
        for i in 0..<nodes.count { offsets[i + 1] += offsets[i] }
        var parents = [Int32](repeating: -1, count: nodes.count)
        for (index, edge) in edges.enumerated() { parents[Int(edge.to)] = Int32(index) }

        profile.mark("edges")
        // The node, edge and session arrays are handed over, not shared: the branch assigner
        // writes to them in place, and a second reference left here made it copy them whole.
        var graph = InvestigationGraph(
            events: events, eventClientCodes: eventClients, files: files, nodes: consume nodes, edges: consume edges, outgoingOffsets: offsets,
            sessions: consume sessions, dataErrors: dataErrors, unlinked: unlinked, parents: parents,
            unmatchedTokenActions: unmatchedTokenActions, servicePrincipalTokenUses: servicePrincipalTokenUses, asnByIP: asnByIP)
        BranchAssigner.assign(&graph)
        profile.mark("branches")
        return graph
    }

    /// Where event `index` belongs: its session id's code and its membership, or nil with the
    /// reason counted in the chunk's `unlinked`. An action whose token matched no sign-in, or
    /// matched a service principal's sign-in by token id, is also noted in the chunk.
    ///
    /// Inlined into its one caller, the loop of each core's chunk: called, it had the loop
    /// retain and release the shared event array and the user-key closure for every event, and
    /// the two cores' writes to those two reference counts waited for each other (placing took
    /// 0.04–0.10 s on two cores, 0.03 s on one).
    @inline(__always)
    private static func place(_ index: Int, events: [Event], tokens: TokenIndex, noting chunk: inout PlacedChunk,
                              userKey: (Int) -> UInt32?) -> (UInt32, SessionMember)? {
        let event = events[index]
        if event.kind == .signIn {
            if event.source == .servicePrincipalSignInLogs || event.source == .managedIdentitySignInLogs {
                chunk.unlinked.workloadIdentitySignIns += 1
            } else if event.sessionIdCode != TextVocabulary.none {
                return (event.sessionIdCode, SessionMember(event: Int32(index), user: userKey(index) ?? TextVocabulary.none))
            } else {
                chunk.unlinked.signInsWithoutSession += 1
            }
            return nil
        }
        // The minting sign-in's facts come with the token index's entry (its object is not
        // reached again for each action that used its token).
        var found: MintingSignIn?
        var link: LinkKey?
        if let uti = event.tokenKey, let signIn = tokens.signIn(byToken: uti) {
            (found, link) = (signIn, .uniqueTokenId)
        } else if let request = event.requestKeyFromToken, let candidates = tokens.signIns(withRequest: request) {
            found = MintingSignIn(index: bestCandidate(candidates, for: event, events: events), events: events)
            link = .requestIdFromToken
        }
        if found == nil && event.tokenKey != nil { chunk.unmatchedTokens.append(Int32(index)) }
        if let found, found.source == .servicePrincipalSignInLogs || found.source == .managedIdentitySignInLogs {
            // A workload identity's token: its session ids never chain (schemas.md §1.3).
            chunk.unlinked.appOnlyActions += 1
            if link == .uniqueTokenId && found.source == .servicePrincipalSignInLogs {
                chunk.servicePrincipalTokenUses.append(TokenUse(action: Int32(index), signIn: found.index))
            }
        } else if let found, found.sessionIdCode != TextVocabulary.none {
            return (found.sessionIdCode, SessionMember(event: Int32(index), minting: found.index, link: link, user: userKey(index) ?? TextVocabulary.none))
        } else if event.sessionIdCode != TextVocabulary.none {
            return (event.sessionIdCode, SessionMember(event: Int32(index), user: userKey(index) ?? TextVocabulary.none))
        } else if userKey(index) == nil || (event.servicePrincipalId != nil && event.userId == nil) || found != nil {
            chunk.unlinked.appOnlyActions += 1
        } else {
            chunk.unlinked.unlinkedActions += 1
        }
        return nil
    }

    /// The chains of one session id: one per user (a session id seen with two users is a data
    /// error: split per user, never merged), the members without a user going with the primary.
    private static func jobsForSession(_ sidCode: UInt32, members: ArraySlice<SessionMember>, events: [Event],
                                       into chunk: inout (jobs: [AssemblyJob], errors: [DataError])) {
        let vocabulary = TextVocabulary.shared
        let sid = vocabulary.text(sidCode)!
        // Nearly every session id has one user: its members, then those without a user, as
        // the general case below orders them, without a table per session.
        var only: UInt32?, anonymousCount = 0
        for member in members {
            if member.user == TextVocabulary.none {
                anonymousCount += 1
            } else if only == nil {
                only = member.user
            } else if only != member.user {
                only = nil
                break
            }
        }
        if only != nil || anonymousCount == members.count {
            let group = only == nil || anonymousCount == 0
                ? Array(members)
                : members.filter { $0.user != TextVocabulary.none } + members.filter { $0.user == TextVocabulary.none }
            chunk.jobs.append(AssemblyJob(sessionId: sid, user: only.map { vocabulary.text($0)! }, members: group, split: false))
            return
        }
        var byUserCode: [UInt32: [SessionMember]] = [:]
        var userCodes: [UInt32] = []
        var anonymous: [SessionMember] = []
        for member in members {
            let user = member.user
            if user != TextVocabulary.none {
                if byUserCode[user] == nil { userCodes.append(user) }
                byUserCode[user, default: []].append(member)
            } else {
                anonymous.append(member)
            }
        }
        // Users stay codes (two spellings of a name are two users, never one merged key).
        let name = { (code: UInt32) in vocabulary.text(code)! }
        let primary = primaryUser(userCodes, byUser: byUserCode, events: events, name: name)
        if userCodes.count > 1 {
            chunk.errors.append(DataError(
                kind: "sid-multi-user", sessionId: sid,
                message: "session id \(sid) is used by \(userCodes.count) users (\(userCodes.map(name).joined(separator: ", "))); each user's records are kept as a separate chain"))
        }
        let groups: [(String?, [SessionMember])] = userCodes.isEmpty
            ? [(nil, anonymous)]
            : userCodes.map { user in (name(user), byUserCode[user]! + (user == primary ? anonymous : [])) }
        for (user, group) in groups where !group.isEmpty {
            chunk.jobs.append(AssemblyJob(sessionId: sid, user: user, members: group, split: userCodes.count > 1))
        }
    }

    /// When several sign-ins share the request id a token decodes to (the audit log reuses an
    /// Id for the logons of one request), the one the token was issued for: the latest that is
    /// not after the action, preferring one at or after the token's issue time. Of sign-ins that
    /// fit equally, the first in event order.
    ///
    /// `candidates` are in time order, then event order (``TokenIndex/signIns(withRequest:)``):
    /// each step below is a halving of that list, so many sign-ins sharing one request id cost
    /// a few steps per action, not a pass over all of them.
    static func bestCandidate(_ candidates: [Int32], for action: Event, events: [Event]) -> Int32 {
        guard candidates.count > 1 else { return candidates[0] }
        func time(_ position: Int) -> UTCInstant { events[Int(candidates[position])].time }
        /// The first position of `range` whose time is after `limit` (`orAt`: at or after it).
        func first(in range: Range<Int>, after limit: UTCInstant, orAt: Bool) -> Int {
            candidates[range].partitionIndex { orAt ? events[Int($0)].time >= limit : events[Int($0)].time > limit }
        }
        // The pool: the sign-ins not after the action, else all of them.
        let notAfter = first(in: candidates.indices, after: action.time, orAt: false)
        let pool = notAfter > 0 ? 0..<notAfter : candidates.indices
        if let issued = action.tokenIssuedAt {
            // iat is about five minutes before the sign-in record (schemas.md §1.4).
            let expected = issued.adding(seconds: 300)
            let window = first(in: pool, after: issued.adding(seconds: -60), orAt: true)..<first(in: pool, after: issued.adding(seconds: 600), orAt: false)
            if !window.isEmpty {
                // The nearest to `expected` are the first sign-in of the last time before it and
                // the first at or after it; on a tie, the one first in event order.
                let split = first(in: window, after: expected, orAt: true)
                guard split > window.lowerBound else { return candidates[split] }
                let before = first(in: window, after: time(split - 1), orAt: true)
                guard split < window.upperBound else { return candidates[before] }
                let early = abs(time(before).seconds(until: expected)), late = abs(time(split).seconds(until: expected))
                return early != late ? candidates[early < late ? before : split] : min(candidates[before], candidates[split])
            }
        }
        // The latest of the pool; of several at that time, the first.
        return candidates[first(in: pool, after: time(pool.upperBound - 1), orAt: true)]
    }

    /// The user whose interactive sign-in is earliest, else the one with the most records.
    /// Users are vocabulary codes; `name` gives a user's text, which breaks ties.
    static func primaryUser(_ users: [UInt32], byUser: [UInt32: [SessionMember]], events: [Event], name: (UInt32) -> String) -> UInt32? {
        guard users.count > 1 else { return users.first }
        func earliestRoot(_ user: UInt32) -> UTCInstant? {
            var earliest: UTCInstant?
            for member in byUser[user] ?? [] {
                let event = events[Int(member.event)]
                guard event.kind == .signIn, event.interactive == true, event.result != "failure" else { continue }
                if earliest == nil || event.time < earliest! { earliest = event.time }
            }
            return earliest
        }
        let withRoot = users.compactMap { user in earliestRoot(user).map { (user, $0) } }
        if let first = withRoot.min(by: { $0.1 < $1.1 }) { return first.0 }
        return users.max { (byUser[$0]?.count ?? 0, name($1)) < (byUser[$1]?.count ?? 0, name($0)) }
    }
}

/// A sign-in that minted tokens, with what placing the actions done with them reads of it.
struct MintingSignIn: Sendable {
    var index: Int32
    var sessionIdCode: UInt32
    var source: LogSource

    init(index: Int32, events: [Event]) {
        self.init(index: index, sessionIdCode: events[Int(index)].sessionIdCode, source: events[Int(index)].source)
    }

    init(index: Int32, sessionIdCode: UInt32, source: LogSource) {
        self.index = index
        self.sessionIdCode = sessionIdCode
        self.source = source
    }
}

/// Sign-ins by exact token id and by request id. A request id nearly always names one sign-in,
/// so the first is held directly and only the others in a list of their own.
struct TokenIndex: Sendable {
    private var signInByToken = IdentifierTable(placeholder: MintingSignIn(index: -1, sessionIdCode: TextVocabulary.none, source: .signInLogs))
    private var firstSignInByRequest = IdentifierTable<Int32>(placeholder: -1)
    /// For a request id that names several sign-ins: all of them, by time then event index.
    private var signInsSharingRequest: [CompactIdentifier: [Int32]] = [:]

    init(_ events: [Event]) {
        let distance = [Event].prefetchDistance
        for index in events.indices {
            // The event's object 16 ahead, the table slots of the one 8 ahead (whose object
            // has come in by now).
            events.prefetch(index + distance)
            let next = index + distance / 2
            if next < events.count, events[next].kind == .signIn {
                if let uti = events[next].tokenKey { signInByToken.prefetch(uti) }
                if let request = events[next].requestKey { firstSignInByRequest.prefetch(request) }
            }
            guard events[index].kind == .signIn else { continue }
            if let uti = events[index].tokenKey { signInByToken.insertIfAbsent(uti, MintingSignIn(index: Int32(index), events: events)) }
            if let request = events[index].requestKey, !firstSignInByRequest.insertIfAbsent(request, Int32(index)) {
                signInsSharingRequest[request, default: []].append(Int32(index))
            }
        }
        // Each shared request's list, with its first sign-in, put in time order once here: the
        // choice among them for every action that decodes to it halves the list, not scans it.
        for request in Array(signInsSharingRequest.keys) {
            guard let first = firstSignInByRequest.value(for: request) else { continue }
            signInsSharingRequest[request] = ([first] + signInsSharingRequest[request]!).sorted {
                (events[Int($0)].time, $0) < (events[Int($1)].time, $1)
            }
        }
    }

    /// Starts loading what ``signIn(byToken:)`` will read for event `index`, an action looked
    /// up a few events ahead (its fields are read in place: a copy of the event would retain
    /// its object, an atomic write that waits for the object's line).
    @inline(__always)
    func prefetchMintingSignIn(of events: [Event], at index: Int) {
        guard index < events.count, events[index].kind == .action, let uti = events[index].tokenKey else { return }
        signInByToken.prefetch(uti)
    }

    /// The first sign-in whose token id is `token`, with its facts; nil for none.
    func signIn(byToken token: CompactIdentifier) -> MintingSignIn? {
        signInByToken.value(for: token)
    }

    /// The sign-ins whose request id is `request`, by time then event index; nil for none.
    func signIns(withRequest request: CompactIdentifier) -> [Int32]? {
        guard let first = firstSignInByRequest.value(for: request) else { return nil }
        return signInsSharingRequest[request] ?? [first]
    }
}

/// Each event's client family (classified once per distinct user agent), each UPN's object id,
/// and each IP's ASN and country as sign-ins reported them. Keyed by vocabulary codes.
struct ContextIndex {
    var eventClientCodes: [UInt32] = []
    var upnToUser = CodeTable<UInt32>()
    var asnByIP = CodeTable<Int>()
    var countryByIP = CodeTable<UInt32>()

    init(_ events: [Event]) {
        let none = TextVocabulary.none
        let vocabulary = TextVocabulary.shared
        let empty = vocabulary.code("empty")
        var familyOfAgent = CodeTable<UInt32>()
        eventClientCodes.reserveCapacity(events.count)
        for index in events.indices {
            events.prefetch(index + [Event].prefetchDistance)
            let event = events[index]
            let upn = event.userPrincipalNameCode, oid = event.userIdCode
            if upn != none, oid != none, upnToUser[upn] == nil { upnToUser[upn] = oid }
            let ip = event.ipAddressCode
            if ip != none {
                if let asn = event.asn, asnByIP[ip] == nil { asnByIP[ip] = asn }
                let country = event.countryCode
                if country != none, countryByIP[ip] == nil { countryByIP[ip] = country }
            }
            let agent = event.userAgentCode
            guard agent != none else { eventClientCodes.append(empty); continue }
            if let known = familyOfAgent[agent] {
                eventClientCodes.append(known)
            } else {
                let family = vocabulary.code(ClientFamily.of(event.userAgent!))
                familyOfAgent[agent] = family
                eventClientCodes.append(family)
            }
        }
    }
}

/// The events of a run of consecutive events that belong to a session, in event order, and
/// what the others were.
struct PlacedChunk {
    var placed: [(UInt32, SessionMember)] = []
    var unlinked = UnlinkedCounts()
    /// Actions whose token matched no sign-in, in event order.
    var unmatchedTokens: [Int32] = []
    /// Actions whose token id matched a service principal's sign-in, in event order.
    var servicePrincipalTokenUses: [TokenUse] = []
}

/// The placed members grouped by session id, in order of each id's first appearance and, within
/// a session, in event order. Grouped by counting: each id is numbered on first sight (one lookup
/// per member), then the members are laid out session by session in one array (a growing array
/// per session in a dictionary was most of this step's time at three million events).
struct SessionGroups {
    /// The session ids' vocabulary codes, in order of first appearance.
    private(set) var order: [UInt32] = []
    private var grouped: [SessionMember] = []
    /// Session `n`'s members are `grouped[starts[n]..<starts[n + 1]]`.
    private var starts: [Int] = [0]

    init(_ placements: [PlacedChunk]) {
        var numberOf: [UInt32: Int32] = [:]
        var numbers: [Int32] = []
        numbers.reserveCapacity(placements.reduce(0) { $0 + $1.placed.count })
        // First pass: number the ids and count each one's members (in starts[n + 1]).
        for chunk in placements {
            for (sid, _) in chunk.placed {
                let number: Int32
                if let known = numberOf[sid] {
                    number = known
                } else {
                    number = Int32(order.count)
                    numberOf[sid] = number
                    order.append(sid)
                    starts.append(0)
                }
                starts[Int(number) + 1] += 1
                numbers.append(number)
            }
        }
        for number in order.indices { starts[number + 1] += starts[number] }
        // Second pass: each member to the next free place of its session.
        grouped = [SessionMember](repeating: SessionMember(event: 0), count: numbers.count)
        var next = starts
        var position = 0
        for chunk in placements {
            for (_, member) in chunk.placed {
                let number = Int(numbers[position])
                grouped[next[number]] = member
                next[number] += 1
                position += 1
            }
        }
    }

    /// The members of the `number`-th session id.
    func members(of number: Int) -> ArraySlice<SessionMember> { grouped[starts[number]..<starts[number + 1]] }
}

/// One chain to assemble: a session id and the members of one of its users.
struct AssemblyJob: Sendable {
    var sessionId: String
    var user: String?
    var members: [SessionMember]
    var split: Bool
}

/// The nodes, edges and chains of a run of consecutive assembly jobs, with node ids counted
/// from zero (shifted when the chunks are joined).
struct AssembledChunk {
    var nodes: [GraphNode] = []
    var edges: [GraphEdge] = []
    var sessions: [SessionChain] = []
}

/// One event's place in a session: the event, and for an action the sign-in that minted its
/// token and the key that linked them.
struct SessionMember {
    var event: Int32
    var minting: Int32?
    var link: LinkKey?
    /// The event's user key (``TextVocabulary/none`` for none), read while the event is at hand:
    /// grouping a session's members by user then reads no event again.
    var user: UInt32 = TextVocabulary.none
}
