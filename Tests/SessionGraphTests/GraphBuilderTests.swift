import Foundation
import Testing
@testable import SessionGraph
@testable import SessionGraphSimulator

/// Builds graphs from small linked fixtures written in Log Analytics NDJSON and checks nodes,
/// edges, the root, the branches and the link keys.
@Suite struct GraphBuilderTests {
    static let alice = "a1a1a1a1-0000-4000-8000-000000000001"
    static let bob = "b2b2b2b2-0000-4000-8000-000000000002"
    static let sid = "00aa0001-1111-2222-3333-444455556666"

    /// A 22-character token id that decodes to `requestId` (schemas.md §1.1).
    static func uti(for requestId: String) -> String {
        let hex = requestId.replacingOccurrences(of: "-", with: "")
        var bytes: [UInt8] = stride(from: 0, to: 32, by: 2).map { UInt8(hex[hex.index(hex.startIndex, offsetBy: $0)..<hex.index(hex.startIndex, offsetBy: $0 + 2)], radix: 16)! }
        bytes.swapAt(0, 3); bytes.swapAt(1, 2); bytes.swapAt(4, 5); bytes.swapAt(6, 7)
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func signIn(_ id: String, _ time: String, interactive: Bool, ip: String, asn: Int, device: String = "", ua: String = "Mozilla/5.0 (Windows NT 10.0) Edg/120", user: String = alice, sid: String? = sid, table: String? = nil, result: String = "0", app: String = "Microsoft Office") -> String {
        let type = table ?? (interactive ? "SigninLogs" : "AADNonInteractiveUserSignInLogs")
        let sidField = sid.map { "\"SessionId\":\"\($0)\"," } ?? ""
        return """
        {"Type":"\(type)","TimeGenerated":"\(time)","CreatedDateTime":"\(time)","Id":"\(id)",\(sidField)"UniqueTokenIdentifier":"\(uti(for: id))","UserId":"\(user)","UserPrincipalName":"\(user == alice ? "alice" : "bob")@contoso.example","IPAddress":"\(ip)","AutonomousSystemNumber":"\(asn)","IsInteractive":\(interactive),"DeviceDetail":{"deviceId":"\(device)"},"UserAgent":"\(ua)","AppDisplayName":"\(app)","AppId":"d3590ed6-52b3-4102-aeff-aad2292ab01c","ResultType":"\(result)","LocationDetails":{"countryOrRegion":"CH"}}
        """
    }

    static func graphCall(_ requestId: String, _ time: String, token: String?, sid: String?, ip: String, uri: String = "https://graph.microsoft.com/v1.0/me/messages", user: String? = alice) -> String {
        let tokenField = token.map { "\"SignInActivityId\":\"\($0)\"," } ?? ""
        let sidField = sid.map { "\"SessionId\":\"\($0)\"," } ?? ""
        let userField = user.map { "\"UserId\":\"\($0)\"," } ?? "\"ServicePrincipalId\":\"5e5e5e5e-0000-4000-8000-000000000005\","
        return """
        {"Type":"MicrosoftGraphActivityLogs","TimeGenerated":"\(time)","RequestId":"\(requestId)",\(tokenField)\(sidField)\(userField)"IPAddress":"\(ip)","RequestMethod":"GET","RequestUri":"\(uri)","ResponseStatusCode":200,"UserAgent":""}
        """
    }

    /// Writes the rows as NDJSON into a new temporary folder and returns the folder.
    static func writeLines(_ lines: [String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sg-graph-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try lines.joined(separator: "\n").write(to: folder.appendingPathComponent("rows.ndjson"), atomically: true, encoding: .utf8)
        return folder
    }

    static func ingestLines(_ lines: [String]) throws -> InvestigationGraph {
        let folder = try writeLines(lines)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try Ingestor.ingest(paths: [folder.path])
        #expect(result.totals.rejected == 0, "fixture rows must all be read: \(result.files.flatMap(\.rejections))")
        return GraphBuilder.build(result)
    }

    let root = "11111111-aaaa-4bbb-8ccc-000000000001"
    let refresh = "11111111-aaaa-4bbb-8ccc-000000000002"
    let replay = "11111111-aaaa-4bbb-8ccc-000000000003"

    func fixture() throws -> InvestigationGraph {
        try Self.ingestLines(fixtureLines())
    }

    func fixtureLines() throws -> [String] {
        [
            // Root from the office (AS3303), laptop device.
            Self.signIn(root, "2026-03-02T08:00:00Z", interactive: true, ip: "203.0.113.10", asn: 3303, device: "dev-laptop"),
            // A refresh from the same laptop and network.
            Self.signIn(refresh, "2026-03-02T09:10:00Z", interactive: false, ip: "203.0.113.11", asn: 3303, device: "dev-laptop"),
            // The same session replayed from a VPS (AS14061), no device, a script.
            Self.signIn(replay, "2026-03-02T09:20:00Z", interactive: false, ip: "198.51.100.7", asn: 14061, ua: "python-requests/2.31"),
            // Graph calls: one by exact token id from the office, two by the replay token from the VPS,
            // one by session id only.
            Self.graphCall("22222222-0000-4000-8000-000000000001", "2026-03-02T08:05:00Z", token: Self.uti(for: root), sid: Self.sid, ip: "203.0.113.10"),
            Self.graphCall("22222222-0000-4000-8000-000000000002", "2026-03-02T09:21:00Z", token: Self.uti(for: replay), sid: Self.sid, ip: "198.51.100.7", uri: "https://graph.microsoft.com/v1.0/users"),
            Self.graphCall("22222222-0000-4000-8000-000000000003", "2026-03-02T09:22:00Z", token: Self.uti(for: replay), sid: Self.sid, ip: "198.51.100.7", uri: "https://graph.microsoft.com/v1.0/users"),
            Self.graphCall("22222222-0000-4000-8000-000000000004", "2026-03-02T09:30:00Z", token: "UnknownTokenAAAAAAAAAA", sid: Self.sid, ip: "203.0.113.10"),
            // An app-only call and two service-principal sign-ins whose session ids never repeat.
            Self.graphCall("22222222-0000-4000-8000-000000000005", "2026-03-02T10:00:00Z", token: nil, sid: nil, ip: "192.0.2.1", user: nil),
            Self.signIn("33333333-0000-4000-8000-000000000001", "2026-03-02T10:00:00Z", interactive: false, ip: "192.0.2.1", asn: 8075, user: "", sid: "004ca149-0000-0000-0000-000000000001", table: "AADServicePrincipalSignInLogs"),
            Self.signIn("33333333-0000-4000-8000-000000000002", "2026-03-02T10:05:00Z", interactive: false, ip: "192.0.2.1", asn: 8075, user: "", sid: "004ca149-0000-0000-0000-000000000002", table: "AADServicePrincipalSignInLogs"),
        ]
    }

    /// An action from Microsoft's network is the service's own when its user agent names one
    /// of the service clients, in any ASCII case; not from elsewhere, and not with another agent.
    @Test func serviceClientsAreFoundInAnyCase() {
        func action(_ agent: String?) -> Event {
            var event = Event(time: UTCInstant(seconds: 1_000), source: .unifiedAuditLog, shape: .purviewCSV, kind: .action,
                              provenance: Provenance(fileIndex: 0, line: 1, record: 1))
            event.appId = "11111111-2222-3333-4444-555555555555"
            event.userAgent = agent
            return event
        }
        #expect(ServiceSide.isServiceSide(action("Client=OutlookService;Outlook-iOS/2.0;"), asn: ServiceSide.microsoftASN))
        #expect(ServiceSide.isServiceSide(action("CLIENT=RESTSYSTEM;"), asn: ServiceSide.microsoftASN))
        #expect(!ServiceSide.isServiceSide(action("Client=OutlookService;Outlook-iOS/2.0;"), asn: 3303))
        #expect(!ServiceSide.isServiceSide(action("Outlook-iOS/2.0"), asn: ServiceSide.microsoftASN))
        #expect(!ServiceSide.isServiceSide(action(nil), asn: ServiceSide.microsoftASN))
    }

    @Test func linksRootSignInsTokensAndActions() throws {
        let graph = try fixture()
        #expect(graph.sessions.count == 1, "service-principal session ids must not become sessions")
        let session = try #require(graph.sessions.first)
        #expect(session.sessionId == Self.sid)
        let rootNode = try #require(session.root)
        #expect(graph.event(of: rootNode)?.requestId == root)
        #expect(session.signIns == 3)
        #expect(session.tokens == 3)
        #expect(session.actions == 4)
        // session + 3 sign-ins + 3 tokens + 4 actions
        #expect(session.nodes.count == 11)
        let edges = session.nodes.flatMap { graph.outgoing($0) }
        #expect(edges.count == 10, "every node but the session anchor has one parent")
        #expect(edges.filter { $0.kind == .rootToSignIn }.count == 2)
        #expect(edges.filter { $0.kind == .signInToToken && $0.key == .uniqueTokenId }.count == 3)
        #expect(edges.filter { $0.kind == .tokenToAction && $0.key == .uniqueTokenId }.count == 3)
        let sessionOnly = edges.filter { $0.kind == .sessionToAction }
        #expect(sessionOnly.count == 1)
        #expect(sessionOnly.first?.key == .sessionId)
        #expect(graph.unlinked.workloadIdentitySignIns == 2)
        #expect(graph.unlinked.appOnlyActions == 1)
    }

    @Test("a branch point diverges from the root branch's use at the very same instant, not an earlier one")
    func divergenceAtTheSameInstant() throws {
        let graph = try Self.ingestLines([
            Self.signIn(root, "2026-03-02T08:00:00Z", interactive: true, ip: "203.0.113.10", asn: 3303, device: "dev-laptop"),
            Self.signIn(refresh, "2026-03-02T09:20:00Z", interactive: false, ip: "203.0.113.11", asn: 3303, device: "dev-laptop"),
            Self.signIn(replay, "2026-03-02T09:20:00Z", interactive: false, ip: "198.51.100.7", asn: 14061, ua: "python-requests/2.31"),
        ])
        let session = try #require(graph.sessions.first)
        #expect(session.branches.count == 2)
        let vps = session.branches[1]
        let from = try #require(vps.divergenceFrom)
        #expect(graph.nodes[Int(from)].branch == 0)
        #expect(graph.nodes[Int(from)].time == graph.nodes[Int(vps.branchPoint)].time, "the 09:20 refresh (or its token), not the 08:00 root")
    }

    @Test func groupsNodesIntoBranches() throws {
        let graph = try fixture()
        let session = try #require(graph.sessions.first)
        #expect(session.branches.count == 2)
        let rootBranch = session.branches[0]
        #expect(rootBranch.isRoot)
        #expect(rootBranch.context.network == "AS3303")
        #expect(rootBranch.context.device == "dev-laptop")
        let vps = session.branches[1]
        #expect(vps.context.network == "AS14061")
        #expect(graph.event(of: vps.branchPoint)?.requestId == replay)
        // The branch point diverges from the latest earlier node of the root branch: the refresh's token.
        let from = try #require(vps.divergenceFrom)
        #expect(graph.nodes[Int(from)].branch == 0)
        #expect(graph.nodes[Int(from)].time <= graph.nodes[Int(vps.branchPoint)].time)
        // The VPS branch holds the replay sign-in, its token and the two Graph calls done with it.
        #expect(vps.nodes.count == 4)
        // The session-only call came from the office network with an empty user agent: root branch.
        let sessionOnlyAction = session.nodes.first { graph.incoming($0)?.kind == .sessionToAction }!
        #expect(graph.nodes[Int(sessionOnlyAction)].branch == 0)
    }

    @Test func reportsAbsentRoot() throws {
        let graph = try Self.ingestLines([
            Self.signIn(refresh, "2026-03-02T09:10:00Z", interactive: false, ip: "203.0.113.11", asn: 3303, device: "dev-laptop"),
            // A failed interactive sign-in is not a root.
            Self.signIn(root, "2026-03-02T09:00:00Z", interactive: true, ip: "203.0.113.11", asn: 3303, device: "dev-laptop", result: "50126"),
        ])
        let session = try #require(graph.sessions.first)
        #expect(session.root == nil)
        #expect(session.branches.first?.isRoot == false)
        let edges = session.nodes.flatMap { graph.outgoing($0) }
        #expect(edges.filter { $0.kind == .sessionToSignIn }.count == 2)
    }

    @Test func splitsASessionIdSeenWithTwoUsers() throws {
        let graph = try Self.ingestLines([
            Self.signIn(root, "2026-03-02T08:00:00Z", interactive: true, ip: "203.0.113.10", asn: 3303),
            Self.signIn(refresh, "2026-03-02T08:30:00Z", interactive: false, ip: "203.0.113.10", asn: 3303, user: Self.bob),
        ])
        #expect(graph.sessions.count == 2)
        #expect(graph.sessions.allSatisfy { $0.splitFromSharedId })
        #expect(graph.dataErrors.count == 1)
        #expect(graph.dataErrors.first?.kind == "sid-multi-user")
        #expect(Set(graph.sessions.compactMap(\.user)) == [Self.alice, Self.bob])
    }

    @Test func collapsesRepeatedActions() throws {
        let graph = try fixture()
        let session = try #require(graph.sessions.first)
        let items = ChainCollapser.collapse(session, in: graph)
        let users = items.filter { $0.kind == .action && $0.label.hasSuffix("/v1.0/users") }
        #expect(users.count == 1)
        #expect(users.first?.count == 2)
        #expect(items.count < session.nodes.count)
    }

    @Test func tracesOneToken() throws {
        let graph = try fixture()
        let trace = graph.trace(token: Self.uti(for: replay))
        #expect(trace.requestId == replay)
        #expect(trace.session?.sessionId == Self.sid)
        #expect(trace.events.count == 3)
        #expect(graph.events[Int(trace.events[0])].kind == .signIn)
        // Token ids are case-sensitive.
        #expect(graph.trace(token: Self.uti(for: replay).lowercased()).events.isEmpty)
    }
}

@Suite("Graph: node layout")
struct GraphNodeLayoutTests {
    @Test("a node takes 56 bytes and keeps what it was given: no event, event 0, each token form")
    func compactNode() {
        #expect(MemoryLayout<GraphNode>.stride == 56)
        #expect(MemoryLayout<NodeTokenKey?>.size == 17)
        let context = NodeContext(networkCode: 1, deviceCode: 2, ipAddressCode: 3, countryCode: 4, asnValue: 3303)
        let guid = Array("5d5cf1e0-6b9a-4f7e-9a7c-2f1f3c0e8a11".utf8).withUnsafeBufferPointer { CompactIdentifier.compact($0) }!
        let token = CompactIdentifier.token(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210)
        let identifiers: [CompactIdentifier?] = [nil, guid, token, .text("not-a-token")]
        for (event, identifier) in zip([nil, 0, 9, Int32.max] as [Int32?], identifiers) {
            let key = identifier.map(NodeTokenKey.init)
            var node = GraphNode(kind: .token, event: event, time: UTCInstant(microseconds: 7), tokenKey: key, context: context, branch: 2, serviceSide: true)
            #expect(node.event == event && node.tokenKey == key && node.tokenKey?.identifier == identifier && node.time == UTCInstant(microseconds: 7))
            #expect(node.kind == .token && node.branch == 2 && node.serviceSide && node.context == context)
            node.event = 5
            #expect(node.event == 5)
            node.event = nil
            #expect(node.event == nil)
        }
        #expect(GraphNode(kind: .token, event: nil, time: UTCInstant(microseconds: 0), tokenKey: NodeTokenKey(.text("not-a-token")), context: context, branch: 0, serviceSide: false).token == "not-a-token")
    }
}

/// The choice among sign-ins that share one request id, made by halving a time-ordered list,
/// against the scan it replaced (kept here as the reference): the same sign-in for every
/// action, with ties in time, in distance and in event order, and with events not in time order.
@Suite("Graph: sign-ins sharing a request id")
struct SharedRequestCandidateTests {
    /// The scan the halving replaced: `candidates` in event order.
    static func reference(_ candidates: [Int32], for action: Event, events: [Event]) -> Int32 {
        guard candidates.count > 1 else { return candidates[0] }
        let before = candidates.filter { events[Int($0)].time <= action.time }
        let pool = before.isEmpty ? candidates : before
        if let issued = action.tokenIssuedAt {
            let expected = issued.adding(seconds: 300)
            let earliest = issued.adding(seconds: -60), latest = issued.adding(seconds: 600)
            let window = pool.filter { events[Int($0)].time >= earliest && events[Int($0)].time <= latest }
            func distance(_ candidate: Int32) -> Double { abs(events[Int(candidate)].time.seconds(until: expected)) }
            if let best = window.min(by: { distance($0) < distance($1) }) { return best }
        }
        return pool.max(by: { events[Int($0)].time < events[Int($1)].time })!
    }

    @Test("the halving picks the sign-in the scan picked, over 20,000 random cases")
    func halvingMatchesTheScan() {
        var random = SplitMix64(seed: 17)
        let provenance = Provenance(fileIndex: 0, line: 1, record: 1)
        for _ in 0..<20_000 {
            // Times on a coarse grid (many ties), events in no particular time order.
            let count = Int.random(in: 2...12, using: &random)
            let events = (0..<count).map { _ in
                Event(time: UTCInstant(seconds: 1_000 + 60 * Int64.random(in: 0...20, using: &random)), source: .unifiedAuditLog,
                      shape: .logAnalyticsJSON, kind: .signIn, provenance: provenance)
            }
            let candidates = (0..<Int32(count)).filter { _ in Bool.random(using: &random) || count < 3 }
            guard !candidates.isEmpty else { continue }
            var action = Event(time: UTCInstant(seconds: 1_000 + 60 * Int64.random(in: -2...22, using: &random)), source: .graphActivityLogs,
                               shape: .logAnalyticsJSON, kind: .action, provenance: provenance)
            if Bool.random(using: &random) {
                action.tokenIssuedAt = UTCInstant(seconds: 1_000 + 30 * Int64.random(in: -20...40, using: &random))
            }
            let sorted = candidates.sorted { (events[Int($0)].time, $0) < (events[Int($1)].time, $1) }
            let expected = Self.reference(candidates, for: action, events: events)
            let found = GraphBuilder.bestCandidate(sorted, for: action, events: events)
            #expect(found == expected, "candidates \(candidates.map { (Int($0), events[Int($0)].time.iso8601) }), action \(action.time.iso8601), iat \(action.tokenIssuedAt?.iso8601 ?? "none")")
            if found != expected { return }
        }
    }
}

/// The Huntress CTF Purview export: real Exchange records link to their STS logons through the
/// decoded token id (SOURCES.md).
@Suite struct HuntressGraphTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/samples")
    static let huntress = samples.appendingPathComponent("unified-audit/purview-export_huntress-ctf-2023_rogue-inbox.csv")
    static let available = FileManager.default.fileExists(atPath: huntress.path)

    @Test(.enabled(if: available, "../shared/samples is not present"))
    func linksExchangeRecordsToTheirLogon() throws {
        let graph = GraphBuilder.build(try Ingestor.ingest(paths: [Self.huntress.path]))
        #expect(graph.sessions.count == 2)
        let attacker = try #require(graph.sessions(withId: "9dfdecb6-59a0-4714-846e-86c0fc911104").first)
        #expect(attacker.userPrincipalName == "debrab@m365b132131.onmicrosoft.com")
        let root = try #require(attacker.root)
        #expect(graph.nodes[Int(root)].time.iso8601 == "2023-09-26T01:51:34Z")
        #expect(attacker.signIns == 15)
        let token = try #require(attacker.nodes.first { graph.nodes[Int($0)].token == "3kVZRE8tFkinHtPA7_EFAA" })
        let minted = try #require(graph.incoming(token))
        #expect(minted.key == .requestIdFromToken)
        // The logon that minted the Exchange token: Id 445945de-…, resource Exchange, 01:52:34.
        let logon = try #require(graph.event(of: minted.from))
        #expect(logon.requestId == "445945de-2d4f-4816-a71e-d3c0eff10500")
        #expect(logon.resource == "00000002-0000-0ff1-ce00-000000000000")
        #expect(logon.time.iso8601 == "2023-09-26T01:52:34Z")
        let rules = graph.outgoing(token).filter { graph.event(of: $0.to)?.operation == "New-InboxRule" }
        #expect(rules.count == 38)
        #expect(rules.allSatisfy { $0.key == .requestIdFromToken })
        let oneDrive = attacker.nodes.filter { graph.event(of: $0)?.workload == "OneDrive" }
        // 16 OneDrive records carry AppAccessContext.AADSessionId (counted with python from the
        // raw CSV; SOURCES.md says 15 in one place and 16 in another).
        #expect(oneDrive.count == 16)
        #expect(oneDrive.allSatisfy { graph.incoming($0)?.kind == .sessionToAction })
        #expect(attacker.branches.count == 1)
        let other = try #require(graph.sessions(withId: "875d65bf-f95f-4f99-a593-e5258ee48003").first)
        #expect(other.userPrincipalName == "alexw@m365b132131.onmicrosoft.com")
        #expect(other.actions == 0)
    }
}
