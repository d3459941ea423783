/// `act-bulk-collection`: bulk mail or file access from a branch other than the root's
/// (detections.md §3.5): ≥ 50 mail/file items read in one hour (an aggregated MailItemsAccessed
/// record counts its `OperationCount` items; FileDownloaded,
/// FileAccessed, Graph GET on messages, mail folders or drives), or any Graph search for
/// credentials (password, admin, credential, secret: MS-2372). Medium. Sync clients on the root
/// branch are not counted.
struct BulkCollectionRule: SessionRule {
    let id = "act-bulk-collection"
    let family = FindingFamily.riskyAction
    static let threshold = 50
    static let auditOperations: Set<String> = ["mailitemsaccessed", "filedownloaded", "fileaccessed", "filesyncdownloadedfull", "filepreviewed"]
    static let graphPaths = ["/messages", "/mailfolders", "/drive", "/drives"]
    static let searchWords = ["password", "admin", "credential", "secret"]

    /// Whether a Graph request reads mail or files.
    static func isGraphRead(_ operation: String) -> Bool {
        isGraphGet(operation) && operation.containsAnyIgnoringASCIICase(graphPaths)
    }

    /// Whether a Graph request searches for credentials.
    static func isGraphCredentialSearch(_ operation: String) -> Bool {
        isGraphGet(operation) && operation.containsIgnoringASCIICase("search") && operation.containsAnyIgnoringASCIICase(searchWords)
    }

    private static func isGraphGet(_ operation: String) -> Bool {
        operation.utf8.count > 4 && operation.hasPrefixIgnoringASCIICase("get ")
    }

    /// Whether an audit operation reads a mail item or a file.
    static func isAuditRead(_ operation: String) -> Bool {
        operation.utf8.count <= 22 && auditOperations.contains(operation.lowercased())
    }

    func evaluate(_ view: SessionView) -> [RawFinding] {
        var findings: [RawFinding] = []
        for branch in view.branches.dropFirst() {
            var reads: [NodeID] = []
            var searches: [NodeID] = []
            for node in branch.nodes {
                guard let event = view.event(node), event.kind == .action else { continue }
                let traits = view.input.operations.of(event)
                if event.source == .graphActivityLogs {
                    if traits.graphCredentialSearch { searches.append(node) }
                    if traits.graphRead { reads.append(node) }
                } else if traits.auditRead {
                    reads.append(node)
                }
            }
            let burst = maxPerHour(reads, view, weight: { view.event($0)?.itemCount ?? 1 })
            guard burst >= Self.threshold || !searches.isEmpty else { continue }
            let what = !searches.isEmpty ? "searched mail or files for credentials" : "read \(burst) mail items or files within an hour"
            findings.append(RawFinding(
                rule: id, family: family, severity: .medium, session: view.index, branch: branch.index, nodes: searches + reads,
                summary: "From branch \(view.describe(branch)), \(view.user() ?? "the user")'s session \(what).",
                reason: "\(reads.count) reads (peak \(burst) per hour, threshold \(Self.threshold)), \(searches.count) credential searches", roamingCap: true))
        }
        return findings
    }

    /// The largest total weight (records, or the items each stands for) within one hour.
    func maxPerHour(_ nodes: [NodeID], _ view: SessionView, weight: (NodeID) -> Int = { _ in 1 }) -> Int {
        let entries = nodes.map { (view.graph.nodes[Int($0)].time, max(weight($0), 1)) }.sorted { $0.0 < $1.0 }
        var best = 0
        var start = 0
        var total = 0
        for end in entries.indices {
            total += entries[end].1
            while entries[start].0.seconds(until: entries[end].0) > 3600 {
                total -= entries[start].1
                start += 1
            }
            best = max(best, total)
        }
        return best
    }
}
