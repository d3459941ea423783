import Foundation
import Testing
@testable import SessionGraph

// One rule at a time: for every rule id in RuleRegistry, a fixture that makes it fire and a
// minimal near-miss that keeps it silent (detections.md §3 thresholds). Each fixture is run in
// every export shape. Most start from `office`: Alice's session rooted at the office
// (AS3303, laptop D1) at 08:00 with a refresh at 08:30.

/// Runs `scenario` in every export shape and hands each run to `check`.
func forEveryShape(_ scenario: DScenario, config: DetectionConfig = DetectionConfig(), sourceLocation: SourceLocation = #_sourceLocation,
                   _ check: (DRun) throws -> Void) throws {
    for shape in DetectionShape.allCases {
        try check(DetectionHarness.run(scenario, shape, config: config, sourceLocation: sourceLocation))
    }
}

enum RuleFixture {
    static let t0 = DTime.at("2026-03-10T08:00:00Z")
    static func m(_ minutes: Int) -> Int { t0 + minutes * 60 }

    static let laptop = DDevice.edgeLaptop.registered(DetectionScenarios.laptopD1, name: "LAPTOP-ALICE")
    static let otherLaptop = DDevice.edgeLaptop.registered(DetectionScenarios.laptopD2, name: "LAPTOP-OTHER")
    static let office = DNet.swisscomOffice
    static let vps = DNet.digitalOceanFrankfurt
    /// 400 km due north of the office (≈ 3.6° of latitude).
    static let fourHundredKm = DNet(ip: "192.0.2.150", asn: 3320, country: "DE", city: "Marburg", lat: 47.3769 + 400.0 / 111.195, lon: 8.5417)

    /// Alice's office session: root at 08:00, refresh at 08:30, both AS3303 on D1.
    struct Office {
        var s: DScenario
        var sid: String
        var root: DSignIn
        var refresh: DSignIn
    }

    static func officeSession(_ tag: Int, refreshAt: Int = 30) -> Office {
        var s = DScenario(tag: tag)
        let sid = s.sid(1)
        let root = s.signIn(m(0), .interactive, sid: sid, net: office, device: laptop, app: .exchange, resource: .exchange)
        let refresh = s.signIn(m(refreshAt), .nonInteractive, sid: sid, net: office, device: laptop, app: .exchange, resource: .exchange,
                               tokenType: "refreshToken")
        return Office(s: s, sid: sid, root: root, refresh: refresh)
    }

    /// Adds the attacker's refresh from the VPS (python, no device) and returns its sign-in.
    @discardableResult
    static func vpsRefresh(_ o: inout Office, at minute: Int = 60, app: DApp = .office, resource: DApp = .graph) -> DSignIn {
        o.s.signIn(m(minute), .nonInteractive, sid: o.sid, net: vps, device: .python, app: app, resource: resource, tokenType: "refreshToken",
                   protection: "unbound", protectionCode: 1008)
    }
}

@Suite("Detection: per-rule fire and near-miss")
struct DetectionRuleTests {
    typealias F = RuleFixture

    // MARK: sess-branch-new-net

    @Test("sess-branch-new-net fires for a refresh from a hosting ASN")
    func branchNewNetFires() throws {
        var o = F.officeSession(0x1001)
        F.vpsRefresh(&o)
        try forEveryShape(o.s) { run in expectFiresExactly(run, "sess-branch-new-net", .high) }
    }

    @Test("sess-branch-new-net near-miss: same ASN, another IP")
    func branchNewNetSameASN() throws {
        var o = F.officeSession(0x1002)
        o.s.signIn(F.m(60), .nonInteractive, sid: o.sid, net: F.office.with(ip: "203.0.113.51"), device: F.laptop, app: .exchange,
                   resource: .exchange, tokenType: "refreshToken")
        try forEveryShape(o.s) { run in
            expectSilent(run, "sess-branch-new-net")
            #expect(run.graph.sessions.first?.branches.count == 1)
        }
    }

    // MARK: sess-branch-new-country

    @Test("sess-branch-new-country fires for two successful nodes in a new country")
    func branchNewCountryFires() throws {
        var o = F.officeSession(0x1003)
        for minute in [60, 70] {
            o.s.signIn(F.m(minute), .nonInteractive, sid: o.sid, net: .munich, device: .chromeWindows, app: .exchange, resource: .exchange,
                       tokenType: "refreshToken")
        }
        try forEveryShape(o.s) { run in expectFiresExactly(run, "sess-branch-new-country", .medium) }
    }

    @Test("sess-branch-new-country near-miss: one node in the new country (geo-IP error guard)")
    func branchNewCountrySingleNode() throws {
        var o = F.officeSession(0x1004)
        o.s.signIn(F.m(60), .nonInteractive, sid: o.sid, net: .munich, device: .chromeWindows, app: .exchange, resource: .exchange,
                   tokenType: "refreshToken")
        try forEveryShape(o.s) { run in
            expectSilent(run, "sess-branch-new-country")
            expectFires(run, "sess-branch-new-net", atLeast: .medium)  // the branch itself is there
        }
    }

    // MARK: sess-device-mismatch

    @Test("sess-device-mismatch fires for another non-empty device id")
    func deviceMismatchFires() throws {
        var o = F.officeSession(0x1005)
        o.s.signIn(F.m(60), .nonInteractive, sid: o.sid, net: F.office, device: F.otherLaptop, app: .exchange, resource: .exchange,
                   tokenType: "refreshToken")
        try forEveryShape(o.s) { run in expectFiresExactly(run, "sess-device-mismatch", .high) }
    }

    @Test("sess-device-mismatch near-miss: the same device on a new network")
    func deviceMismatchSameDevice() throws {
        var o = F.officeSession(0x1006)
        o.s.signIn(F.m(60), .nonInteractive, sid: o.sid, net: .munich, device: F.laptop, app: .exchange, resource: .exchange,
                   tokenType: "refreshToken")
        try forEveryShape(o.s) { run in expectSilent(run, "sess-device-mismatch") }
    }

    // MARK: sess-client-change

    @Test("sess-client-change fires high for a script client on Graph")
    func clientChangeFires() throws {
        var o = F.officeSession(0x1007)
        F.vpsRefresh(&o)
        try forEveryShape(o.s) { run in expectFiresExactly(run, "sess-client-change", .high) }
    }

    @Test("sess-client-change near-miss: same browser family, newer version, new network")
    func clientChangeSameFamily() throws {
        var o = F.officeSession(0x1008)
        o.s.signIn(F.m(60), .nonInteractive, sid: o.sid, net: .munich, device: DDevice.edgeLaptop.with(ua: DUA.edgeWindowsNewer), app: .exchange,
                   resource: .exchange, tokenType: "refreshToken")
        try forEveryShape(o.s) { run in
            expectSilent(run, "sess-client-change")
            expectFires(run, "sess-branch-new-net", atLeast: .medium)
        }
    }

    // MARK: sess-concurrent-branches

    @Test("sess-concurrent-branches fires for A 08:30, B 08:40, A 08:55")
    func concurrentFires() throws {
        var o = F.officeSession(0x1009)
        F.vpsRefresh(&o, at: 40)
        o.s.signIn(F.m(55), .nonInteractive, sid: o.sid, net: F.office, device: F.laptop, app: .exchange, resource: .exchange, tokenType: "refreshToken")
        try forEveryShape(o.s) { run in expectFiresExactly(run, "sess-concurrent-branches", .high) }
    }

    @Test("sess-concurrent-branches near-miss: A 08:30, B 08:40, A 09:15 (45 min > 30 min window)")
    func concurrentOutsideWindow() throws {
        var o = F.officeSession(0x100a)
        F.vpsRefresh(&o, at: 40)
        o.s.signIn(F.m(75), .nonInteractive, sid: o.sid, net: F.office, device: F.laptop, app: .exchange, resource: .exchange, tokenType: "refreshToken")
        try forEveryShape(o.s) { run in expectSilent(run, "sess-concurrent-branches") }
    }

    @Test("sess-concurrent-branches: two root-network uses at the very time of the branch's (A 08:40, A 08:40, B 08:40) interleave it")
    func concurrentSameInstant() throws {
        // The reference uses around B are found by time, ties included: the last at or before
        // 08:40 and the first at or after it are the two 08:40 refreshes. Counting only strictly
        // earlier and later uses would pair the 08:00 root with nothing after 08:40.
        var o = F.officeSession(0x1033, refreshAt: 40)
        o.s.signIn(F.m(40), .nonInteractive, sid: o.sid, net: F.office, device: F.laptop, app: .exchange, resource: .exchange, tokenType: "refreshToken")
        F.vpsRefresh(&o, at: 40)
        try forEveryShape(o.s) { run in expectFiresExactly(run, "sess-concurrent-branches", .high) }
    }

    // MARK: sess-impossible-travel

    @Test("sess-impossible-travel fires for Zurich → New York in 10 minutes")
    func impossibleTravelFires() throws {
        var o = F.officeSession(0x100b)
        o.s.signIn(F.m(40), .nonInteractive, sid: o.sid, net: .newYork, device: .chromeWindows, app: .exchange, resource: .exchange,
                   tokenType: "refreshToken")
        try forEveryShape(o.s) { run in expectFiresExactly(run, "sess-impossible-travel", .high) }
    }

    @Test("sess-impossible-travel near-miss: 400 km in 10 minutes (below the 500 km floor)")
    func impossibleTravelShortHop() throws {
        let distance = ImpossibleTravelRule.distance((F.office.lat, F.office.lon), (F.fourHundredKm.lat, F.fourHundredKm.lon))
        #expect(abs(distance - 400) < 2, "fixture distance \(distance) km")
        var o = F.officeSession(0x100c)
        o.s.signIn(F.m(40), .nonInteractive, sid: o.sid, net: F.fourHundredKm, device: .chromeWindows, app: .exchange, resource: .exchange,
                   tokenType: "refreshToken")
        try forEveryShape(o.s) { run in
            expectSilent(run, "sess-impossible-travel")
            expectFires(run, "sess-branch-new-net", atLeast: .medium)
        }
    }

    // MARK: sess-root-absent

    @Test("sess-root-absent fires for a session of refreshes from a hosting ASN")
    func rootAbsentFires() throws {
        var s = DScenario(tag: 0x100d)
        let sid = s.sid(1)
        for minute in [0, 20] {
            s.signIn(F.m(minute), .nonInteractive, sid: sid, net: F.vps, device: .python, app: .office, resource: .graph, tokenType: "refreshToken")
        }
        try forEveryShape(s) { run in expectFiresExactly(run, "sess-root-absent", .medium) }
    }

    @Test("sess-root-absent near-miss: the user signed in interactively from that network (another session)")
    func rootAbsentKnownNetwork() throws {
        var s = DScenario(tag: 0x100e)
        let other = s.sid(2)
        s.signIn(F.m(0), .interactive, sid: other, net: F.office, device: F.laptop, app: .exchange, resource: .exchange)
        let sid = s.sid(1)
        for minute in [10, 40] {
            s.signIn(F.m(minute), .nonInteractive, sid: sid, net: F.office.with(ip: "203.0.113.60"), device: F.laptop, app: .teams,
                     resource: .teamsServices, tokenType: "refreshToken")
        }
        try forEveryShape(s) { run in
            #expect(run.graph.sessions.contains { $0.sessionId == sid && $0.root == nil })
            expectSilent(run, "sess-root-absent")
        }
    }

    // MARK: tok-use-ip-mismatch

    @Test("tok-use-ip-mismatch fires for a token used from another network")
    func tokenMismatchFires() throws {
        var o = F.officeSession(0x100f)
        o.s.graph(F.m(35), token: o.refresh, sid: o.sid, ip: "45.55.1.2", uri: "/v1.0/me/messages", ua: DUA.python31)
        try forEveryShape(o.s) { run in expectFires(run, "tok-use-ip-mismatch", atLeast: .medium) }
    }

    @Test("tok-use-ip-mismatch near-miss: same ASN, another IP")
    func tokenMismatchSameASN() throws {
        var o = F.officeSession(0x1010)
        // The office's second address is on a sign-in row, so its ASN (AS3303) is known.
        o.s.signIn(F.m(20), .nonInteractive, sid: o.sid, net: F.office.with(ip: "203.0.113.51"), device: F.laptop, app: .teams,
                   resource: .teamsServices, tokenType: "refreshToken")
        o.s.graph(F.m(35), token: o.refresh, sid: o.sid, ip: "203.0.113.51", uri: "/v1.0/me/messages", ua: "")
        try forEveryShape(o.s) { run in expectSilent(run, "tok-use-ip-mismatch") }
    }

    // MARK: tok-lifetime-exceeded

    @Test("tok-lifetime-exceeded fires: low past 100 min, medium past 28 h 10 min")
    func tokenLifetimeFires() throws {
        var o = F.officeSession(0x1011)
        // iat = sign-in − 5 min.
        o.s.graph(o.refresh.time - 300 + 120 * 60, token: o.refresh, sid: o.sid, ip: F.office.ip, uri: "/v1.0/me/events", ua: "")
        o.s.graph(o.root.time - 300 + 29 * 3600, token: o.root, sid: o.sid, ip: F.office.ip, uri: "/v1.0/me/events", ua: "")
        try forEveryShape(o.s) { run in
            expectFiresExactly(run, "tok-lifetime-exceeded", .medium)
            #expect(run.of("tok-lifetime-exceeded").map(\.severity).sorted() == [.low, .medium], "[\(run.shape)] \(run.summary)")
        }
    }

    @Test("tok-lifetime-exceeded near-miss: used 80 minutes after issue")
    func tokenLifetimeWithin() throws {
        var o = F.officeSession(0x1012)
        o.s.graph(o.refresh.time - 300 + 80 * 60, token: o.refresh, sid: o.sid, ip: F.office.ip, uri: "/v1.0/me/events", ua: "")
        try forEveryShape(o.s) { run in expectSilent(run, "tok-lifetime-exceeded") }
    }

    // MARK: tok-orphan-use

    static let orphanUTI = DIds.uti(for: "0b0b0b0b-2222-4333-8444-0000000000aa")

    @Test("tok-orphan-use fires high for a scripted token and session no sign-in minted")
    func orphanFires() throws {
        var o = F.officeSession(0x1013)
        let sid = o.s.sid(0x77)
        for i in 0..<3 {
            o.s.graph(F.m(40 + i), token: nil, uti: Self.orphanUTI, sid: sid, ip: "45.67.8.9", uri: "/v1.0/me/messages", ua: DUA.python31,
                      app: .office, iat: F.m(38))
        }
        try forEveryShape(o.s) { run in expectFiresExactly(run, "tok-orphan-use", .high) }
    }

    @Test("tok-orphan-use near-miss: the user's sign-ins do not cover the token's issue time (±1 h)")
    func orphanOutsideCoverage() throws {
        var o = F.officeSession(0x1014)
        let sid = o.s.sid(0x77)
        o.s.graph(F.m(200), token: nil, uti: Self.orphanUTI, sid: sid, ip: "45.67.8.9", uri: "/v1.0/me/messages", ua: DUA.python31,
                  app: .office, iat: F.m(198))
        try forEveryShape(o.s) { run in expectSilent(run, "tok-orphan-use") }
    }

    // MARK: tok-sp-replay

    static let spApp = DApp(id: "9e1e0000-aaaa-4bbb-8ccc-00000000de02", name: "nightly-export")
    static let spId = "5e5e0000-aaaa-4bbb-8ccc-000000000002"

    @Test("tok-sp-replay fires for an app-only token used from another cloud")
    func spReplayFires() throws {
        var s = DScenario(tag: 0x1015)
        let signIn = s.servicePrincipalSignIn(F.m(0), spId: Self.spId, spName: Self.spApp.name, app: Self.spApp, net: .githubRunner)
        s.graph(F.m(3), token: signIn, sid: nil, user: nil, servicePrincipalId: Self.spId, ip: "3.3.3.3", uri: "/v1.0/applications", app: Self.spApp)
        try forEveryShape(s) { run in expectFiresExactly(run, "tok-sp-replay", .high) }
    }

    @Test("tok-sp-replay near-miss: used from the IP it was issued to")
    func spReplaySameIP() throws {
        var s = DScenario(tag: 0x1016)
        let signIn = s.servicePrincipalSignIn(F.m(0), spId: Self.spId, spName: Self.spApp.name, app: Self.spApp, net: .githubRunner)
        s.graph(F.m(3), token: signIn, sid: nil, user: nil, servicePrincipalId: Self.spId, ip: DNet.githubRunner.ip, uri: "/v1.0/applications",
                app: Self.spApp)
        try forEveryShape(s) { run in expectSilent(run, "tok-sp-replay") }
    }

    @Test("tok-sp-replay: another IP of the same ASN (NAT pool) is capped at low")
    func spReplaySameASN() throws {
        var s = DScenario(tag: 0x1017)
        let signIn = s.servicePrincipalSignIn(F.m(0), spId: Self.spId, spName: Self.spApp.name, app: Self.spApp, net: .githubRunner)
        // A second runner of the same pool signs in from the neighbouring address (AS8075 known for it).
        s.servicePrincipalSignIn(F.m(1), spId: Self.spId, spName: Self.spApp.name, app: Self.spApp, net: DNet.githubRunner.with(ip: "20.20.1.2"))
        s.graph(F.m(3), token: signIn, sid: nil, user: nil, servicePrincipalId: Self.spId, ip: "20.20.1.2", uri: "/v1.0/applications", app: Self.spApp)
        try forEveryShape(s) { run in
            expectFiresExactly(run, "tok-sp-replay", .low)
            #expect(run.of("tok-sp-replay").first?.adjustments.contains { $0.contains("same ASN") } == true)
        }
    }

    // MARK: root-device-code-split

    @Test("root-device-code-split fires for a device-code sign-in redeemed elsewhere")
    func deviceCodeSplitFires() throws {
        var s = DScenario(tag: 0x1018)
        let sid = s.sid(1)
        s.signIn(F.m(0), .interactive, sid: sid, net: F.office, device: F.laptop, app: .azureCLI, resource: .graph, authProtocol: "deviceCode",
                 transferMethod: "deviceCodeFlow")
        s.signIn(F.m(1), .nonInteractive, sid: sid, net: F.vps, device: .python, app: .azureCLI, resource: .graph)
        try forEveryShape(s) { run in expectFiresExactly(run, "root-device-code-split", .high) }
    }

    @Test("root-device-code-split near-miss: one IP and one client")
    func deviceCodeSplitOneContext() throws {
        var s = DScenario(tag: 0x1019)
        let sid = s.sid(1)
        s.signIn(F.m(0), .interactive, sid: sid, net: F.office, device: F.laptop, app: .azureCLI, resource: .graph, authProtocol: "deviceCode",
                 transferMethod: "deviceCodeFlow")
        s.signIn(F.m(1), .nonInteractive, sid: sid, net: F.office, device: F.laptop, app: .azureCLI, resource: .graph)
        try forEveryShape(s) { run in expectSilent(run, "root-device-code-split") }
    }

    // MARK: root-aitm-officehome

    @Test("root-aitm-officehome fires medium for an OfficeHome root without a device (no divergence)")
    func aitmOfficeHomeFires() throws {
        var s = DScenario(tag: 0x101a)
        let sid = s.sid(1)
        s.signIn(F.m(0), .interactive, sid: sid, net: .digitalOceanNY, device: .chromeWindows, app: .officeHome, resource: .officeHome)
        try forEveryShape(s) { run in expectFiresExactly(run, "root-aitm-officehome", .medium) }
    }

    @Test("root-aitm-officehome near-miss: OfficeHome root from a registered device")
    func aitmOfficeHomeRegisteredDevice() throws {
        var s = DScenario(tag: 0x101b)
        let sid = s.sid(1)
        s.signIn(F.m(0), .interactive, sid: sid, net: .digitalOceanNY, device: F.laptop, app: .officeHome, resource: .officeHome)
        try forEveryShape(s) { run in expectSilent(run, "root-aitm-officehome") }
    }

    // MARK: root-aitm-kit-ua

    @Test("root-aitm-kit-ua fires for the authentication broker with an axios user agent")
    func kitUserAgentFires() throws {
        var o = F.officeSession(0x101c)
        o.s.signIn(F.m(60), .nonInteractive, sid: o.sid, net: F.vps, device: DDevice(ua: DUA.axios, os: "", browser: ""), app: .broker, resource: .graph,
                   tokenType: "refreshToken")
        try forEveryShape(o.s) { run in expectFiresExactly(run, "root-aitm-kit-ua", .high) }
    }

    @Test("root-aitm-kit-ua near-miss: the broker with the Windows broker user agent")
    func kitUserAgentStandardBroker() throws {
        var o = F.officeSession(0x101d)
        o.s.signIn(F.m(60), .nonInteractive, sid: o.sid, net: F.office, device: F.laptop.with(ua: DUA.windowsBroker), app: .broker,
                   resource: .graph, tokenType: "primaryRefreshToken")
        try forEveryShape(o.s) { run in expectSilent(run, "root-aitm-kit-ua") }
    }

    // MARK: root-foci-client-switch

    @Test("root-foci-client-switch fires high for Azure CLI redeemed in another branch")
    func fociFires() throws {
        var o = F.officeSession(0x101e)
        F.vpsRefresh(&o, app: .azureCLI, resource: .aadGraph)
        try forEveryShape(o.s) { run in expectFiresExactly(run, "root-foci-client-switch", .high) }
    }

    @Test("root-foci-client-switch is low on the root branch's network and device")
    func fociOnRootBranch() throws {
        var o = F.officeSession(0x101f)
        o.s.signIn(F.m(60), .nonInteractive, sid: o.sid, net: F.office, device: F.laptop, app: .azureCLI, resource: .graph, tokenType: "refreshToken")
        try forEveryShape(o.s) { run in expectFiresExactly(run, "root-foci-client-switch", .low) }
    }

    @Test("root-foci-client-switch near-miss: Azure CLI also signed in interactively in the session")
    func fociInteractiveClient() throws {
        var o = F.officeSession(0x1020)
        o.s.signIn(F.m(10), .interactive, sid: o.sid, net: F.office, device: F.laptop, app: .azureCLI, resource: .graph)
        F.vpsRefresh(&o, app: .azureCLI, resource: .graph)
        try forEveryShape(o.s) { run in expectSilent(run, "root-foci-client-switch") }
    }

    // MARK: act-inbox-rule-hiding

    static func inboxRule(_ o: inout RuleFixture.Office, _ parameters: [(String, String)], from net: DNet = RuleFixture.office, token: DSignIn? = nil) {
        o.s.audit(RuleFixture.m(45), "New-InboxRule", recordType: 1, ip: net.ip, token: token ?? o.refresh, sid: o.sid, parameters: parameters)
    }

    @Test("act-inbox-rule-hiding fires for a rule that deletes messages")
    func inboxHidingFires() throws {
        var o = F.officeSession(0x1021)
        Self.inboxRule(&o, [("Name", "cleanup"), ("From", "it-security@contoso.com"), ("DeleteMessage", "True")])
        try forEveryShape(o.s) { run in expectFiresExactly(run, "act-inbox-rule-hiding", .medium) }
    }

    @Test("act-inbox-rule-hiding near-miss: a filing rule into an ordinary folder")
    func inboxHidingFilingRule() throws {
        var o = F.officeSession(0x1022)
        Self.inboxRule(&o, [("Name", "Newsletters"), ("From", "news@vendor.example"), ("MoveToFolder", "Newsletters")])
        try forEveryShape(o.s) { run in expectSilent(run, "act-inbox-rule-hiding") }
    }

    // MARK: act-mail-forwarding

    @Test("act-mail-forwarding fires for a rule forwarding outside the tenant")
    func forwardingFires() throws {
        var o = F.officeSession(0x1023)
        Self.inboxRule(&o, [("Name", "fwd"), ("ForwardTo", "drop@evil.example")])
        try forEveryShape(o.s) { run in expectFiresExactly(run, "act-mail-forwarding", .medium) }
    }

    @Test("act-mail-forwarding near-miss: forwarding to a colleague in the tenant")
    func forwardingInternal() throws {
        var o = F.officeSession(0x1024)
        Self.inboxRule(&o, [("Name", "fwd"), ("ForwardTo", "bob@contoso.com")])
        try forEveryShape(o.s) { run in expectSilent(run, "act-mail-forwarding") }
    }

    // MARK: act-persistence

    /// The attacker's branch POSTs a phone method, answered with `status`.
    static func phoneMethodAdded(tag: Int, status: Int) -> DScenario {
        var o = F.officeSession(tag)
        let attacker = F.vpsRefresh(&o)
        o.s.graph(F.m(62), token: attacker, sid: o.sid, ip: F.vps.ip, method: "POST", uri: "/v1.0/me/authentication/phoneMethods", ua: DUA.python31,
                  status: status)
        return o.s
    }

    @Test("act-persistence fires for an MFA method added from another branch")
    func persistenceFires() throws {
        try forEveryShape(Self.phoneMethodAdded(tag: 0x1025, status: 201)) { run in expectFires(run, "act-persistence", atLeast: .medium) }
    }

    @Test("act-persistence near-miss: only reading the authentication methods")
    func persistenceRead() throws {
        var o = F.officeSession(0x1026)
        let attacker = F.vpsRefresh(&o)
        o.s.graph(F.m(62), token: attacker, sid: o.sid, ip: F.vps.ip, method: "GET", uri: "/v1.0/me/authentication/methods", ua: DUA.python31)
        try forEveryShape(o.s) { run in expectSilent(run, "act-persistence") }
    }

    @Test("act-persistence near-miss: the POST failed (403), so nothing was added")
    func persistenceFailed() throws {
        try forEveryShape(Self.phoneMethodAdded(tag: 0x1030, status: 403)) { run in expectSilent(run, "act-persistence") }
    }

    @Test("act-persistence reads an audit activity by its name, and a Graph request's text in an audit record is not one")
    func persistenceAuditActivity() throws {
        var o = F.officeSession(0x1031)
        let attacker = F.vpsRefresh(&o)
        o.s.audit(F.m(62), "Add member to role.", recordType: 8, workload: "AzureActiveDirectory", ip: F.vps.ip, token: attacker, sid: o.sid)
        try forEveryShape(o.s) { run in expectFires(run, "act-persistence", atLeast: .medium) }

        var p = F.officeSession(0x1032)
        let other = F.vpsRefresh(&p)
        p.s.audit(F.m(62), "POST /v1.0/me/authentication/phoneMethods", recordType: 8, workload: "AzureActiveDirectory", ip: F.vps.ip, token: other, sid: p.sid)
        try forEveryShape(p.s) { run in expectSilent(run, "act-persistence") }
    }

    // MARK: act-bulk-collection

    static func reads(_ count: Int, tag: Int) -> DScenario {
        var o = F.officeSession(tag)
        let attacker = F.vpsRefresh(&o, app: .exchange, resource: .exchange)
        for i in 0..<count {
            o.s.mailItemsAccessed(F.m(61) + i * 60, ip: F.vps.ip, token: attacker, sid: o.sid, accessType: "Bind", ua: DUA.python31)
        }
        return o.s
    }

    @Test("act-bulk-collection fires for 50 mail reads within an hour in a branch")
    func bulkFires() throws {
        try forEveryShape(Self.reads(50, tag: 0x1027)) { run in expectFires(run, "act-bulk-collection", atLeast: .medium) }
    }

    @Test("act-bulk-collection near-miss: 49 reads")
    func bulkBelowThreshold() throws {
        try forEveryShape(Self.reads(49, tag: 0x1028)) { run in expectSilent(run, "act-bulk-collection") }
    }

    @Test("act-bulk-collection counts items: three aggregated MailItemsAccessed records of 20 items each")
    func bulkCountsItems() throws {
        var o = F.officeSession(0x1029)
        let attacker = F.vpsRefresh(&o, app: .exchange, resource: .exchange)
        for record in 0..<3 {
            let items: [DJ] = (0..<20).map { item in
                .o([("Id", .s("LgAAAADa\(record)x\(item)")), ("InternetMessageId", .s("<m\(record)-\(item)@contoso.com>")), ("SizeInBytes", .i(30_000))])
            }
            o.s.audit(F.m(61 + record * 10), "MailItemsAccessed", recordType: 50, ip: F.vps.ip, token: attacker, sid: o.sid, ua: DUA.python31,
                      parameters: [("MailAccessType", "Bind"), ("IsThrottled", "False")],
                      extra: [("OperationCount", .i(20)), ("Folders", .a([.o([("Path", .s("\\Inbox")), ("FolderItems", .a(items))])]))])
        }
        try forEveryShape(o.s) { run in
            do {
                expectFires(run, "act-bulk-collection", atLeast: .medium)
            }
        }
    }

    // MARK: act-graph-recon

    static func recon(_ uris: [(Int, String)], tag: Int) -> DScenario {
        var o = F.officeSession(tag)
        let attacker = F.vpsRefresh(&o)
        for (second, uri) in uris {
            o.s.graph(F.m(61) + second, token: attacker, sid: o.sid, ip: F.vps.ip, uri: uri, ua: DUA.python31)
        }
        return o.s
    }

    @Test("act-graph-recon fires for three categories within five minutes")
    func reconFires() throws {
        let s = Self.recon([(0, "/v1.0/users?$top=999"), (60, "/v1.0/organization"), (240, "/v1.0/directoryRoles")], tag: 0x102a)
        try forEveryShape(s) { run in expectFires(run, "act-graph-recon", atLeast: .medium) }
    }

    @Test("act-graph-recon near-miss: two categories")
    func reconTwoCategories() throws {
        let s = Self.recon([(0, "/v1.0/users?$top=999"), (60, "/v1.0/organization"), (120, "/v1.0/groups?$top=999")], tag: 0x102b)
        try forEveryShape(s) { run in expectSilent(run, "act-graph-recon") }
    }

    @Test("act-graph-recon: a category still in the window after its first request left it counts")
    func reconWindowKeepsRepeatedCategory() throws {
        // At 450 s the window starts at 200 s: the first users request has left it, the second
        // has not, so users, tenant and roles are three categories.
        let s = Self.recon([(0, "/v1.0/users?$top=999"), (200, "/v1.0/users/x"), (400, "/v1.0/organization"), (450, "/v1.0/directoryRoles")], tag: 0x102d)
        try forEveryShape(s) { run in expectFires(run, "act-graph-recon", atLeast: .medium) }
    }

    @Test("act-graph-recon categories: path segments in any case, query ignored, roles before users, GET only")
    func reconCategories() {
        #expect(GraphReconRule.category("GET https://graph.microsoft.com/v1.0/users?$top=999") == "users and groups")
        #expect(GraphReconRule.category("get /v1.0/DirectoryRoles") == "roles")
        #expect(GraphReconRule.category("GET /v1.0/users/abc/memberOf") == "roles")
        #expect(GraphReconRule.category("GET /v1.0/me/messages?$filter=users") == "mailbox")
        #expect(GraphReconRule.category("GET /v1.0/usersx/abc") == nil)
        #expect(GraphReconRule.category("GET /v1.0/me#users") == nil)
        #expect(GraphReconRule.category("POST /v1.0/users") == nil)
        #expect(GraphReconRule.category("GETX /v1.0/users") == nil)
        #expect(GraphReconRule.category("GET ") == nil)
        #expect(GraphReconRule.category("GET /v1.0/oauth2PermissionGrants/") == "applications")
    }

    @Test("act-graph-recon near-miss: three categories spread over six minutes")
    func reconSlow() throws {
        let s = Self.recon([(0, "/v1.0/users?$top=999"), (180, "/v1.0/organization"), (360, "/v1.0/directoryRoles")], tag: 0x102c)
        try forEveryShape(s) { run in expectSilent(run, "act-graph-recon") }
    }

    // MARK: act-mass-send

    static func sends(_ count: Int, tag: Int) -> DScenario {
        var o = F.officeSession(tag)
        let attacker = F.vpsRefresh(&o, app: .exchange, resource: .exchange)
        for i in 0..<count {
            o.s.audit(F.m(61) + i * 30, "Send", recordType: 2, ip: F.vps.ip, token: attacker, sid: o.sid, ua: DUA.python31,
                      extra: [("Item", .o([("Subject", .s("Invoice \(i)")), ("InternetMessageId", .s("<s\(i)@contoso.com>"))]))])
        }
        return o.s
    }

    @Test("act-mass-send fires for 100 messages within an hour in a branch")
    func massSendFires() throws {
        try forEveryShape(Self.sends(100, tag: 0x102d)) { run in expectFires(run, "act-mass-send", atLeast: .medium) }
    }

    @Test("act-mass-send near-miss: 99 messages")
    func massSendBelowThreshold() throws {
        try forEveryShape(Self.sends(99, tag: 0x102e)) { run in expectSilent(run, "act-mass-send") }
    }
}

extension DetectionRuleTests {
    @Test("sess-client-change: a script client carrying the root's device id (stolen PRT cookie) is still a change, and not roaming")
    func clientChangeWithRootDeviceId() throws {
        var o = F.officeSession(0x1030)
        // The replayed PRT carries D1; the replaying tool is python-requests on an Azure VM (AS8075: not hosting).
        let replay = F.laptop.with(ua: DUA.python31, browser: "")
        o.s.signIn(F.m(60), .nonInteractive, sid: o.sid, net: .azureAmsterdam, device: replay, app: .office, resource: .graph,
                   tokenType: "primaryRefreshToken", protection: "unbound", protectionCode: 1008)
        o.s.signIn(F.m(62), .nonInteractive, sid: o.sid, net: .azureAmsterdam, device: replay, app: .office, resource: .exchange,
                   tokenType: "primaryRefreshToken", protection: "unbound", protectionCode: 1008)
        try forEveryShape(o.s) { run in
            do {
                expectFiresExactly(run, "sess-client-change", .high)
                expectFiresExactly(run, "sess-branch-new-net", .high)
                let capped = run.findings.filter { $0.adjustments.contains { $0.contains("roaming-likely") } }
                let none = capped.isEmpty
                #expect(none, "[\(run.shape)] roaming cap applied to \(capped.map(\.rule))")
            }
        }
    }
}
