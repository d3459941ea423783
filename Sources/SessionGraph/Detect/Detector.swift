import Foundation

/// The detect stage: runs every rule over every session, then applies, in this order, the
/// suppressions and lifts of detections.md §1 and §4:
///
/// 1. impossible travel raises a new-country finding on the same branch to high;
/// 2. the roaming exemption caps branch-context findings at low on a roaming-likely branch
///    (same non-empty device id as the root, no client family that the root branch or a sign-in
///    authenticated by that device has not used, not a hosting network, no impossible travel);
/// 3. a context finding is capped at low when its session has no row of the sign-in logs and
///    its branch's network no known ASN (nothing to judge it by), unless impossible travel leads
///    into the branch;
/// 4. the allow-list caps at low the findings whose evidence it covers entirely;
/// 5. the ancestry lift raises a risky action to high when its branch carries a medium-or-higher
///    finding of another family (the action descends from an anomalous branch).
public enum Detector {
    /// Why a context finding was capped at low for having nothing to judge it by (the end of its
    /// adjustment), so that a report can count such findings.
    public static let nothingToJudgeBy = "no sign-in log row of this session in the data and no ASN for the branch's network, so the branch is compared without ASNs, devices and sign-in clients; add the sign-in logs to judge it"

    public static func run(_ graph: InvestigationGraph, config: DetectionConfig = DetectionConfig()) -> [Finding] {
        var profile = StepProfile("detect")
        defer { profile.report() }
        let input = DetectionInput(graph: graph, config: config)
        profile.mark("user facts")
        let profiling = StepProfile.enabled
        let slots = RuleRegistry.sessionRules.count + RuleRegistry.runRules.count + 1
        // Sessions are independent: evaluate them in chunks on every core, then merge the chunks
        // in session order, so the result does not depend on scheduling.
        let chunkSize = max(64, graph.sessions.count / (ProcessInfo.processInfo.activeProcessorCount * 8) + 1)
        let chunkCount = (graph.sessions.count + chunkSize - 1) / chunkSize
        // The rules over the whole run take one work item each, after the session chunks.
        let chunks = ParallelSlots<ChunkResult>(count: chunkCount + RuleRegistry.runRules.count)
        DispatchQueue.concurrentPerform(iterations: chunkCount + RuleRegistry.runRules.count) { chunk in
            var result = ChunkResult(spent: [UInt64](repeating: 0, count: slots))
            func timed<T>(_ slot: Int, _ body: () -> T) -> T {
                guard profiling else { return body() }
                let start = DispatchTime.now().uptimeNanoseconds
                defer { result.spent[slot] += DispatchTime.now().uptimeNanoseconds - start }
                return body()
            }
            if chunk >= chunkCount {
                let offset = chunk - chunkCount
                result.raw = timed(RuleRegistry.sessionRules.count + offset) { RuleRegistry.runRules[offset].evaluate(input) }
                chunks.store(result, at: chunk)
                return
            }
            let range = (chunk * chunkSize)..<min(graph.sessions.count, (chunk + 1) * chunkSize)
            for index in range {
                let view = timed(slots - 1) { SessionView(input: input, index: index) }
                result.views.append(view)
                for (slot, rule) in RuleRegistry.sessionRules.enumerated() { result.raw.append(contentsOf: timed(slot) { rule.evaluate(view) }) }
            }
            chunks.store(result, at: chunk)
        }
        profile.mark("rules")
        var raw: [RawFinding] = []
        var views: [SessionView] = []
        views.reserveCapacity(graph.sessions.count)
        var spent = [UInt64](repeating: 0, count: slots)
        for result in chunks.take() {
            raw.append(contentsOf: result.raw)
            views.append(contentsOf: result.views)
            for slot in 0..<slots { spent[slot] += result.spent[slot] }
        }
        if profiling {
            let names = RuleRegistry.catalogue.map(\.id) + ["session facts"]
            let text = zip(names, spent).sorted { $0.1 > $1.1 }.prefix(8).map { "\($0.0) \(String(format: "%.3f", Double($0.1) / 1e9)) s" }.joined(separator: ", ")
            FileHandle.standardError.write(Data("profile rules: \(text)\n".utf8))
        }

        struct BranchRef: Hashable { var session: Int; var branch: Int32 }
        let travel = Set(raw.filter { $0.rule == ImpossibleTravelRule().id }.compactMap { f in f.session.flatMap { s in f.branch.map { BranchRef(session: s, branch: $0) } } })
        for i in raw.indices where raw[i].rule == BranchNewCountryRule().id && raw[i].severity < .high {
            if let s = raw[i].session, let b = raw[i].branch, travel.contains(BranchRef(session: s, branch: b)) {
                raw[i].severity = .high
                raw[i].adjustments.append("raised to high: impossible travel into this branch")
            }
        }
        // 2. Roaming exemption.
        for i in raw.indices where raw[i].roamingCap && raw[i].severity > .low {
            guard let s = raw[i].session, let b = raw[i].branch, b > 0, !travel.contains(BranchRef(session: s, branch: b)) else { continue }
            let view = views[s]
            guard let facts = view.facts(ofBranch: b) else { continue }
            if view.onRootDevice(facts) && view.newClients(facts).isEmpty && !facts.hosting {
                raw[i].adjustments.append("capped at low from \(raw[i].severity.rawValue): roaming-likely branch (same device \(facts.device), no new client, not a hosting network, no impossible travel)")
                raw[i].severity = .low
            }
        }
        // 3. Nothing to judge by: a session with no row of the sign-in logs, on a branch whose
        // network has no known ASN (no sign-in row in the data has its address), is told apart
        // from its reference by address prefix and user agent alone, without a device id: a
        // phone or a second Outlook client diverges from itself. Its context findings are capped
        // at low, and lift no action; impossible travel still counts, and a branch whose ASN is
        // known (so a hosting network is seen) keeps its severity.
        var signInLogged: [Int: Bool] = [:]
        func hasSignInLogRow(_ s: Int) -> Bool {
            if let known = signInLogged[s] { return known }
            let found = graph.sessions[s].nodes.contains { node in graph.event(of: node)?.source.isSignIn == true }
            signInLogged[s] = found
            return found
        }
        for i in raw.indices where raw[i].family == .contextDivergence && raw[i].severity > .low {
            guard let s = raw[i].session, let b = raw[i].branch, !travel.contains(BranchRef(session: s, branch: b)),
                  let facts = views[s].facts(ofBranch: b), facts.asns.isEmpty, !hasSignInLogRow(s) else { continue }
            raw[i].adjustments.append("capped at low from \(raw[i].severity.rawValue): " + nothingToJudgeBy)
            raw[i].severity = .low
        }
        // 4. Allow-list.
        if !config.allowlist.isEmpty {
            for i in raw.indices where raw[i].severity > .low {
                if let entry = covering(raw[i], config.allowlist, graph) {
                    raw[i].adjustments.append("capped at low from \(raw[i].severity.rawValue): allow-listed (\(entry.user), \(entry.appId))")
                    raw[i].severity = .low
                }
            }
        }
        // 5. Ancestry lift.
        var anomalous: [BranchRef: [String]] = [:]
        // Orphan tokens and long-lived tokens say nothing about the branch's context: they do not lift.
        let lifting: Set<String> = Set(RuleRegistry.catalogue.filter { $0.family != .riskyAction && $0.family != .orphanToken }.map(\.id)).subtracting([TokenLifetimeRule().id])
        for finding in raw where lifting.contains(finding.rule) && finding.severity >= .medium {
            if let s = finding.session, let b = finding.branch { anomalous[BranchRef(session: s, branch: b), default: []].append(finding.rule) }
        }
        for i in raw.indices where raw[i].family == .riskyAction && raw[i].severity < .high {
            guard let s = raw[i].session, let b = raw[i].branch, let rules = anomalous[BranchRef(session: s, branch: b)] else { continue }
            raw[i].adjustments.append("raised to high from \(raw[i].severity.rawValue): done from branch \(b), which has \(rules.uniqued().joined(separator: ", "))")
            raw[i].severity = .high
        }
        profile.mark("adjustments")
        // Finalising (stable ids, evidence summaries) is per finding: on every core, in order.
        let adjusted = raw
        let fileNames = EvidenceFileNames(graph.files)
        let findings = Array(parallelChunks(count: adjusted.count, chunkSize: 256) { range in
            adjusted[range].map { finalise($0, graph, fileNames: fileNames) }
        }.joined())
        profile.mark("evidence")
        // Ranked by position on keys taken out once: a finding is a large value, and sorting the
        // values (or comparing copies of them) moved or retained each of its fields many times.
        struct RankKey { var severity: Int; var firstSeen: String; var rule: String; var id: String }
        let keys = findings.map { RankKey(severity: $0.severity.rank, firstSeen: $0.firstSeen, rule: $0.rule, id: $0.id) }
        let order = keys.indices.sorted { i, j in
            if keys[i].severity != keys[j].severity { return keys[i].severity > keys[j].severity }
            if keys[i].firstSeen != keys[j].firstSeen { return keys[i].firstSeen < keys[j].firstSeen }
            return (keys[i].rule, keys[i].id) < (keys[j].rule, keys[j].id)
        }
        let ranked = order.map { findings[$0] }
        profile.mark("rank")
        return ranked
    }

    /// The allow-list entry that covers every evidence record of `finding`: same user (UPN or
    /// object id, taken from the session when the record itself names no user), same app,
    /// and, when the entry names one, same network.
    static func covering(_ finding: RawFinding, _ entries: [DetectionConfig.AllowEntry], _ graph: InvestigationGraph) -> DetectionConfig.AllowEntry? {
        let session = finding.session.map { graph.sessions[$0] }
        let events: [(Event, NodeContext?)] = finding.nodes.compactMap { node in graph.event(of: node).map { ($0, graph.nodes[Int(node)].context) } }
            + finding.events.map { (graph.events[Int($0)], nil) }
        guard !events.isEmpty else { return nil }
        return entries.first { entry in
            let user = entry.user.lowercased()
            let app = entry.appId.lowercased()
            return events.allSatisfy { event, context in
                let names = [event.userPrincipalName, event.userId, session?.userPrincipalName, session?.user].compactMap { $0?.lowercased() }
                guard names.contains(user) else { return false }
                guard event.appId == app else { return false }
                if let network = entry.network { return context?.network == network }
                return true
            }
        }
    }

    static func finalise(_ raw: RawFinding, _ graph: InvestigationGraph, fileNames: EvidenceFileNames) -> Finding {
        // Room for every node and event at once: grown from empty, each of these was reallocated
        // (and the set rehashed) four or five times for a finding of thirty records.
        let expected = raw.nodes.count + raw.events.count
        var evidence: [Evidence] = []
        evidence.reserveCapacity(min(expected, 50))
        var seen = Set<Int32>(minimumCapacity: expected)
        var times: [UTCInstant] = []
        times.reserveCapacity(expected)
        var keys = EvidenceKeys(capacity: expected)
        func add(event index: Int32, node: NodeID?) {
            guard seen.insert(index).inserted else { return }
            let event = graph.events[Int(index)]
            times.append(event.time)
            let fileIndex = Int(event.provenance.fileIndex)
            keys.append(file: fileNames.bytes(of: fileIndex), line: event.provenance.line, record: event.provenance.record)
            guard evidence.count < 50 else { return }
            let file = graph.files.indices.contains(fileIndex) ? graph.files[fileIndex] : nil
            evidence.append(Evidence(
                node: node.map(Int.init), kind: node.map { graph.nodes[Int($0)].kind.rawValue } ?? event.kind.rawValue,
                time: event.time.iso8601, file: file, line: Int(event.provenance.line), record: Int(event.provenance.record),
                summary: event.summaryLine))
        }
        for node in raw.nodes {
            if let index = graph.nodes[Int(node)].event { add(event: index, node: node) }
        }
        for index in raw.events { add(event: index, node: nil) }
        let session = raw.session.map { graph.sessions[$0] }
        let firstEvent = raw.nodes.first.flatMap { graph.event(of: $0) } ?? raw.events.first.map { graph.events[Int($0)] }
        var id = StableID()
        id.add(raw.rule.utf8)
        id.add((session?.sessionId ?? "").utf8)
        id.add((raw.branch.map(String.init) ?? "").utf8)
        keys.addSorted(to: &id, bytewise: fileNames.allASCII)
        return Finding(
            id: id.text, rule: raw.rule, family: raw.family, severity: raw.severity, sessionId: session?.sessionId ?? firstEvent?.sessionId,
            user: session?.namedUser ?? firstEvent?.userPrincipalName ?? firstEvent?.userId,
            firstSeen: (times.min() ?? UTCInstant(microseconds: 0)).iso8601, lastSeen: (times.max() ?? UTCInstant(microseconds: 0)).iso8601,
            summary: raw.summary, reason: raw.reason, branch: raw.branch.map(Int.init), adjustments: raw.adjustments,
            evidence: evidence, evidenceCount: keys.count)
    }
}

/// A finding's stable id: 64-bit FNV-1a over its parts (the rule, the session, the branch and
/// the sorted `file:line:record` of its evidence), each part closed by a separator byte.
struct StableID {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add<Bytes: Sequence<UInt8>>(_ part: Bytes) {
        for byte in part {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        hash ^= 0x1F
        hash = hash &* 0x0000_0100_0000_01B3
    }

    /// The id as 16 hex digits.
    var text: String {
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// The input files' names as UTF-8, for evidence keys, and whether all are ASCII (then keys
/// sort byte by byte as their strings sort).
struct EvidenceFileNames: Sendable {
    private let names: [[UInt8]]
    let allASCII: Bool

    init(_ files: [String]) {
        names = files.map { Array($0.utf8) }
        allASCII = names.allSatisfy { $0.allSatisfy { $0 < 0x80 } }
    }

    /// The name of file `index`; empty for an index out of range.
    func bytes(of index: Int) -> ArraySlice<UInt8> {
        names.indices.contains(index) ? names[index][...] : []
    }
}

/// The `file:line:record` keys of a finding's evidence, written into one buffer: a string of
/// each, only to sort and hash it, was most of the cost of finalising the findings.
struct EvidenceKeys {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    /// Keys with room for `count` of them, of a typical length (a path and two numbers).
    init(capacity count: Int = 0) {
        bytes.reserveCapacity(count * 96)
        ends.reserveCapacity(count)
    }

    var count: Int { ends.count }

    mutating func append(file: ArraySlice<UInt8>, line: Int32, record: Int32) {
        bytes.append(contentsOf: file)
        bytes.append(UInt8(ascii: ":"))
        appendDecimal(Int(line), to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDecimal(Int(record), to: &bytes)
        ends.append(bytes.count)
    }

    /// Adds each key to `id` in the order of the keys' strings: byte by byte when `bytewise`
    /// (ASCII names), else as Swift compares the strings.
    func addSorted(to id: inout StableID, bytewise: Bool) {
        let ranges = ends.indices.map { ($0 == 0 ? 0 : ends[$0 - 1])..<ends[$0] }
        bytes.withUnsafeBufferPointer { buffer in
            let order: [Range<Int>]
            if bytewise {
                order = ranges.sorted { a, b in
                    let common = min(a.count, b.count)
                    let compared = common == 0 ? 0 : memcmp(buffer.baseAddress! + a.lowerBound, buffer.baseAddress! + b.lowerBound, common)
                    return compared != 0 ? compared < 0 : a.count < b.count
                }
            } else {
                let texts = ranges.map { String(decoding: UnsafeBufferPointer(rebasing: buffer[$0]), as: UTF8.self) }
                order = ranges.indices.sorted { texts[$0] < texts[$1] }.map { ranges[$0] }
            }
            for range in order { id.add(UnsafeBufferPointer(rebasing: buffer[range])) }
        }
    }
}

/// What one chunk of sessions produced.
private struct ChunkResult {
    var raw: [RawFinding] = []
    var views: [SessionView] = []
    var spent: [UInt64]
}

