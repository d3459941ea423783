import Foundation
import Testing
@testable import SessionGraph

// What the detector adds on top of the rules: the registry contract, stable finding ids,
// ranking, and the caps and lifts that must be explained in `adjustments` (detections.md §1
// "Evaluation order").

@Suite("Detection: registry, ids, ranking, caps and lifts")
struct DetectionDetectorTests {
    @Test("the caps find a finding's branch however a library caller ordered the session's branches")
    func capsWithReorderedBranches() throws {
        let result = try Ingestor.ingest(paths: [packageRoot.appendingPathComponent("Examples").path])
        let graph = GraphBuilder.build(result)
        var reordered = graph
        for index in reordered.sessions.indices where reordered.sessions[index].branches.count > 2 {
            reordered.sessions[index].branches[1...].reverse()
        }
        let expected = Detector.run(graph), found = Detector.run(reordered)
        #expect(expected.contains { $0.adjustments.contains { $0.contains("roaming-likely") } }, "Examples/ has a roaming cap to check")
        #expect(found.map(\.id) == expected.map(\.id))
        #expect(found.map(\.severity) == expected.map(\.severity))
        #expect(found.map(\.adjustments) == expected.map(\.adjustments))
    }

    typealias F = RuleFixture

    @Test("the registry holds exactly the 21 catalogue rules, each with its contract family")
    func registryMatchesCatalogue() {
        let catalogue = RuleRegistry.catalogue
        #expect(catalogue.count == 21)
        #expect(Set(catalogue.map(\.id)) == Set(detectionRuleFamilies.keys))
        for entry in catalogue {
            #expect(entry.family.rawValue == detectionRuleFamilies[entry.id], "\(entry.id): \(entry.family.rawValue)")
        }
        #expect(Set(FindingFamily.allCases.map(\.rawValue)) == ["context-divergence", "token-replay", "impossible-travel", "orphan-token",
                                                                   "risky-action", "device-code-root", "root-absent"])
    }

    // MARK: Stable ids

    /// Replaces the content of `folder` with `files` and runs ingest → graph → detect on it.
    static func detect(in folder: URL, _ files: [(String, String)]) throws -> [Finding] {
        try? FileManager.default.removeItem(at: folder)
        for (name, text) in files {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return Detector.run(GraphBuilder.build(try Ingestor.ingest(paths: [folder.path])))
    }

    static func scratchFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("sg-detect-ids-\(UUID().uuidString)", isDirectory: true)
    }

    /// Writes the files once and runs ingest → graph → detect twice on that folder.
    static func twoRuns(_ files: [(String, String)]) throws -> ([Finding], [Finding]) {
        let folder = scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try detect(in: folder, files)
        let second = Detector.run(GraphBuilder.build(try Ingestor.ingest(paths: [folder.path])))
        return (first, second)
    }

    @Test("finding ids are stable across two runs on the same input and differ between rules", arguments: DetectionShape.allCases)
    func stableIDs(shape: DetectionShape) throws {
        let (first, second) = try Self.twoRuns(DetectionScenarios.s2().render(shape))
        #expect(first.count >= 8)
        #expect(first.map(\.id) == second.map(\.id))
        #expect(first.map(\.rule) == second.map(\.rule))
        #expect(first.allSatisfy { $0.id.count == 16 && $0.id.allSatisfy(\.isHexDigit) })
        #expect(Set(first.map(\.id)).count == first.count, "ids must be unique: \(first.map { "\($0.rule)=\($0.id)" })")
        // Two rules resting on the same branch (and largely the same records) still get different ids.
        let newNet = try #require(first.first { $0.rule == "sess-branch-new-net" })
        let newCountry = try #require(first.first { $0.rule == "sess-branch-new-country" })
        #expect(newNet.branch == newCountry.branch)
        #expect(newNet.id != newCountry.id)
    }

    /// A finding's id from its parts as strings (the evidence keys among them, sorted).
    static func stableID(_ parts: [String]) -> String {
        var id = StableID()
        for part in parts { id.add(part.utf8) }
        return id.text
    }

    @Test("evidence keys written as bytes hash in the order of their strings, ASCII file names or not", arguments: [
        ["/tmp/a.json", "/tmp/a.json:x", "/tmp/b.csv"],
        ["/tmp/caf\u{E9}.json", "/tmp/cafe\u{301}.json", "/tmp/\u{1F9EA}.ndjson", "/tmp/z.json"],
    ])
    func evidenceKeysHashLikeTheirStrings(files: [String]) {
        // Lines and records of one to five digits (so "10" sorts before "9"), negative ones, the
        // same line and record in the first two files (canonically equal names when one is NFC
        // and the other NFD), and an index outside the files (an empty name), scrambled.
        struct Steps: RandomNumberGenerator {
            var state: UInt64 = 7
            mutating func next() -> UInt64 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return state ^ (state >> 29)
            }
        }
        var generator = Steps()
        var keys: [(file: Int, line: Int32, record: Int32)] = [(0, 9, 1), (0, 10, 1), (0, 1, 12), (0, 1, 2), (1, -3, 4), (0, 7, 7), (1, 7, 7), (1, .min, .max), (files.count, 5, 5)]
        for _ in 0..<60 {
            keys.append((Int(generator.next() % UInt64(files.count)), Int32(generator.next() % 100_000), Int32(generator.next() % 1000)))
        }
        keys.shuffle(using: &generator)
        let names = EvidenceFileNames(files)
        var written = EvidenceKeys()
        for key in keys { written.append(file: names.bytes(of: key.file), line: key.line, record: key.record) }
        var id = StableID()
        id.add("rule".utf8)
        written.addSorted(to: &id, bytewise: names.allASCII)
        let strings = keys.map { "\(files.indices.contains($0.file) ? files[$0.file] : ""):\($0.line):\($0.record)" }
        #expect(id.text == Self.stableID(["rule"] + strings.sorted()))
        #expect(written.count == keys.count)
    }

    @Test("a finding's id is 64-bit FNV-1a over its parts, each closed by 0x1F: values computed apart (Python), so ids stay the same from version to version")
    func stableIDsArePinned() {
        #expect(Self.stableID([]) == "cbf29ce484222325")
        #expect(Self.stableID([""]) == "af63d24c8601db8e")
        #expect(Self.stableID(["sess-branch-new-net", "0a1b2c3d-0000-4000-8000-000000000001", "1", "/tmp/a.json:10:3", "/tmp/a.json:9:1"]) == "17d7df3c96bcf1a0")
        // The same finding through the evidence keys, written in another order.
        var keys = EvidenceKeys()
        let names = EvidenceFileNames(["/tmp/a.json"])
        keys.append(file: names.bytes(of: 0), line: 9, record: 1)
        keys.append(file: names.bytes(of: 0), line: 10, record: 3)
        var id = StableID()
        for part in ["sess-branch-new-net", "0a1b2c3d-0000-4000-8000-000000000001", "1"] { id.add(part.utf8) }
        keys.addSorted(to: &id, bytewise: names.allASCII)
        #expect(id.text == "17d7df3c96bcf1a0")
    }

    @Test("finding ids change when the evidence changes")
    func idsFollowEvidence() throws {
        var a = F.officeSession(0x2001)
        F.vpsRefresh(&a, at: 60)
        var b = F.officeSession(0x2001)
        F.vpsRefresh(&b, at: 60)
        b.s.signIn(F.m(65), .nonInteractive, sid: b.sid, net: F.vps, device: .python, app: .office, resource: .graph, tokenType: "refreshToken")
        // Same folder, same file names: only the records differ.
        let folder = Self.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let runA = try Self.detect(in: folder, a.s.render(.logAnalytics))
        let runAAgain = try Self.detect(in: folder, a.s.render(.logAnalytics))
        let runB = try Self.detect(in: folder, b.s.render(.logAnalytics))
        let idA = try #require(runA.first { $0.rule == "sess-branch-new-net" }).id
        let idB = try #require(runB.first { $0.rule == "sess-branch-new-net" }).id
        #expect(runAAgain.first { $0.rule == "sess-branch-new-net" }?.id == idA)
        #expect(idA != idB)
    }

    // MARK: Ranking

    @Test("findings are ranked by severity, then by first time seen", arguments: DetectionShape.allCases)
    func ranking(shape: DetectionShape) throws {
        // S2 (attack, high and medium) plus S5's roaming branch (low) in one input.
        var scenario = DetectionScenarios.s2()
        scenario.events += DetectionScenarios.s5().events
        let run = try DetectionHarness.run(scenario, shape)
        let ranked = run.findings
        #expect(Set(ranked.map(\.severity)).isSuperset(of: [.high, .medium, .low]), "[\(shape)] \(run.summary)")
        for (a, b) in zip(ranked, ranked.dropFirst()) {
            #expect(a.severity >= b.severity, "[\(shape)] \(a.rule):\(a.severity.rawValue) before \(b.rule):\(b.severity.rawValue)")
            if a.severity == b.severity {
                #expect(DTime.at(a.firstSeen) <= DTime.at(b.firstSeen), "[\(shape)] \(a.rule) \(a.firstSeen) before \(b.rule) \(b.firstSeen)")
            }
        }
        // Severity outranks time: some higher finding starts later than some lower one.
        let inverted = ranked.indices.contains { i in
            ranked[(i + 1)...].contains { later in later.severity < ranked[i].severity && DTime.at(later.firstSeen) < DTime.at(ranked[i].firstSeen) }
        }
        #expect(inverted, "[\(shape)] the fixture should put an earlier low/medium finding after a later high one")
    }

    // MARK: Roaming cap

    @Test("roaming cap: same device, same client family, non-hosting ASN ⇒ low, explained in adjustments")
    func roamingCap() throws {
        var o = F.officeSession(0x2002)
        o.s.signIn(F.m(60), .nonInteractive, sid: o.sid, net: .munich, device: F.laptop, app: .exchange, resource: .exchange, tokenType: "refreshToken")
        o.s.signIn(F.m(70), .nonInteractive, sid: o.sid, net: .munich, device: F.laptop, app: .exchange, resource: .exchange, tokenType: "refreshToken")
        try forEveryShape(o.s) { run in
            for rule in ["sess-branch-new-net", "sess-branch-new-country"] {
                expectFiresExactly(run, rule, .low)
                let adjustments = run.of(rule).flatMap(\.adjustments)
                #expect(adjustments.contains { $0.hasPrefix("capped at low from") && $0.contains("roaming-likely") }, "[\(run.shape)] \(rule): \(adjustments)")
            }
            expectNothing(run, atOrAbove: .medium)
        }
    }

    // MARK: No sign-in to judge by

    @Test("a session seen only in audit records: its context findings are capped at low, say why and lift no action; with its sign-in, with the other network's ASN known, or with impossible travel into the branch, they are not")
    func nothingToJudgeByCapsContextFindings() throws {
        enum Variant { case auditOnly, withSignIn, vpsKnownByASN }
        /// Alice's mailbox read from the office, then read and given a hiding inbox rule from a
        /// VPS with a script, on one session id; the sign-in seen only by the audit log, or by
        /// the sign-in log, or the VPS's address known by a sign-in of another session.
        func scenario(_ variant: Variant) -> DScenario {
            var s = DScenario(tag: 0x2010 + (variant == .auditOnly ? 0 : variant == .withSignIn ? 1 : 2))
            let sid = s.sid(1)
            switch variant {
            case .auditOnly:
                // The audit log's own logon record (a sign-in as the audit log sees it) is no row
                // of the sign-in logs: it carries no ASN, device id or sign-in client either.
                s.audit(F.m(4), "UserLoggedIn", recordType: 15, workload: "AzureActiveDirectory", ip: F.office.ip, token: nil, sid: sid)
            case .withSignIn:
                s.signIn(F.m(0), .interactive, sid: sid, net: F.office, device: F.laptop, app: .exchange, resource: .exchange)
            case .vpsKnownByASN:
                // Another session signs in from the VPS: its address now has an ASN (a hosting one).
                s.signIn(F.m(1), .interactive, user: .admin, sid: s.sid(2), net: F.vps, device: F.otherLaptop, app: .exchange, resource: .exchange)
            }
            for i in 0..<3 { s.mailItemsAccessed(F.m(5 + 5 * i), ip: F.office.ip, token: nil, sid: sid) }
            for i in 0..<3 { s.mailItemsAccessed(F.m(40 + 5 * i), ip: F.vps.ip, token: nil, sid: sid, ua: DUA.python31) }
            s.audit(F.m(60), "New-InboxRule", recordType: 1, ip: F.vps.ip, token: nil, sid: sid,
                    parameters: [("Name", "."), ("SubjectOrBodyContainsWords", "invoice"), ("DeleteMessage", "True")])
            return s
        }
        try forEveryShape(scenario(.auditOnly)) { run in
            expectFiresExactly(run, "sess-branch-new-net", .low)
            let adjustments = run.of("sess-branch-new-net").flatMap(\.adjustments)
            #expect(adjustments.contains { $0.hasPrefix("capped at low from high") && $0.contains("no sign-in log row") }, "[\(run.shape)] \(adjustments)")
            let divergences = run.findings.filter { $0.family == .contextDivergence }
            #expect(divergences.allSatisfy { $0.severity == .low }, "[\(run.shape)] \(run.summary)")
            // The inbox rule keeps its own severity: a capped finding lifts nothing.
            let rule = run.of("act-inbox-rule-hiding")
            #expect(!rule.isEmpty && rule.allSatisfy { $0.severity < .high && !$0.adjustments.contains { $0.hasPrefix("raised to high") } }, "[\(run.shape)] \(run.summary)")
            // The terminal's table says how many were capped and what to load.
            let capped = run.findings.count { $0.adjustments.contains { $0.hasSuffix(Detector.nothingToJudgeBy) } }
            #expect(capped > 0 && FindingsReport.table(run.findings).contains("\(capped) context finding"), "[\(run.shape)]")
            #expect(FindingsReport.table(run.findings).contains("Add SigninLogs and AADNonInteractiveUserSignInLogs"), "[\(run.shape)]")
        }
        for variant in [Variant.withSignIn, .vpsKnownByASN] {
            try forEveryShape(scenario(variant)) { run in
                expectFiresExactly(run, "sess-branch-new-net", .high)
                #expect(!run.of("sess-branch-new-net").flatMap(\.adjustments).contains { $0.contains("no sign-in log row") }, "[\(run.shape)] \(variant)")
                expectFires(run, "act-inbox-rule-hiding", atLeast: .high)
                #expect(!FindingsReport.table(run.findings).contains("Add SigninLogs"), "[\(run.shape)] \(variant)")
            }
        }
        // Impossible travel into the branch still counts: the office and New York addresses are
        // placed by other sessions' sign-ins that carry coordinates but no ASN, so Alice's
        // audit-only session has nothing else to judge by, and its jump of 30 minutes is kept high.
        var travel = DScenario(tag: 0x2013)
        let sid = travel.sid(1)
        let office = DNet(ip: F.office.ip, asn: 0, country: "CH", city: "Zurich", lat: 47.3769, lon: 8.5417)
        let newYork = DNet(ip: DNet.newYork.ip, asn: 0, country: "US", city: "New York", lat: 40.7128, lon: -74.0060)
        travel.signIn(F.m(-600), .interactive, user: .admin, sid: travel.sid(2), net: newYork, device: F.otherLaptop, app: .exchange, resource: .exchange)
        travel.signIn(F.m(0), .interactive, user: .admin, sid: travel.sid(3), net: office, device: F.otherLaptop, app: .exchange, resource: .exchange)
        for i in 0..<3 { travel.mailItemsAccessed(F.m(5 + 5 * i), ip: office.ip, token: nil, sid: sid) }
        for i in 0..<3 { travel.mailItemsAccessed(F.m(40 + 5 * i), ip: newYork.ip, token: nil, sid: sid) }
        try forEveryShape(travel) { run in
            let alice = run.findings.filter { $0.sessionId == sid }
            #expect(alice.contains { $0.rule == "sess-impossible-travel" }, "[\(run.shape)] \(run.summary)")
            let newNet = alice.filter { $0.rule == "sess-branch-new-net" }
            #expect(!newNet.isEmpty && newNet.allSatisfy { $0.severity == .high && !$0.adjustments.contains { $0.contains("no sign-in log row") } }, "[\(run.shape)] \(run.summary)")
        }
    }

    @Test("roaming cap does not apply on a hosting ASN, even with the same device id")
    func roamingCapNotOnHosting() throws {
        var o = F.officeSession(0x2003)
        o.s.signIn(F.m(60), .nonInteractive, sid: o.sid, net: F.vps, device: F.laptop, app: .exchange, resource: .exchange, tokenType: "refreshToken")
        try forEveryShape(o.s) { run in
            expectFiresExactly(run, "sess-branch-new-net", .high)
            #expect(!run.findings.contains { $0.adjustments.contains { $0.contains("roaming-likely") } }, "[\(run.shape)] \(run.findings.map(\.adjustments))")
        }
    }

    // MARK: Ancestry lift

    @Test("ancestry lift: an inbox rule made with a token of an anomalous branch is raised to high")
    func ancestryLift() throws {
        var o = F.officeSession(0x2004)
        let attacker = F.vpsRefresh(&o, app: .exchange, resource: .exchange)
        DetectionRuleTests.inboxRule(&o, [("Name", "cleanup"), ("DeleteMessage", "True")], from: F.vps, token: attacker)
        try forEveryShape(o.s) { run in
            expectFiresExactly(run, "act-inbox-rule-hiding", .high)
            let finding = try #require(run.of("act-inbox-rule-hiding").first)
            #expect(finding.branch == 1)
            #expect(finding.adjustments.contains { $0.hasPrefix("raised to high from medium") && $0.contains("sess-branch-new-net") },
                    "[\(run.shape)] \(finding.adjustments)")
        }
    }

    @Test("no ancestry lift for the same inbox rule made from the root branch")
    func noLiftOnRootBranch() throws {
        var o = F.officeSession(0x2005)
        F.vpsRefresh(&o, app: .exchange, resource: .exchange)  // an anomalous branch exists, but the rule is not made from it
        DetectionRuleTests.inboxRule(&o, [("Name", "cleanup"), ("DeleteMessage", "True")])
        try forEveryShape(o.s) { run in
            expectFiresExactly(run, "act-inbox-rule-hiding", .medium)
            let finding = try #require(run.of("act-inbox-rule-hiding").first)
            #expect(finding.branch == 0)
            #expect(finding.adjustments.isEmpty, "[\(run.shape)] \(finding.adjustments)")
        }
    }

    // MARK: Travel lift

    @Test("impossible travel raises a new-country finding on the same branch to high, and says so")
    func travelLift() throws {
        var o = F.officeSession(0x2006)
        for minute in [40, 45] {
            o.s.signIn(F.m(minute), .nonInteractive, sid: o.sid, net: .newYork, device: .chromeWindows, app: .exchange, resource: .exchange,
                       tokenType: "refreshToken")
        }
        try forEveryShape(o.s) { run in
            expectFiresExactly(run, "sess-impossible-travel", .high)
            expectFiresExactly(run, "sess-branch-new-country", .high)
            let adjustments = run.of("sess-branch-new-country").flatMap(\.adjustments)
            #expect(adjustments.contains { $0.contains("impossible travel") }, "[\(run.shape)] \(adjustments)")
        }
    }
}
