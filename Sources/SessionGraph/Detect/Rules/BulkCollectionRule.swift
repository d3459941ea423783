/// `act-bulk-collection`: bulk mail or file access from a branch other than the root's
/// (detections.md §3.5): ≥ 50 mail/file reads in one hour (MailItemsAccessed, FileDownloaded,
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

    func evaluate(_ view: SessionView) -> [RawFinding] {
        var findings: [RawFinding] = []
        for branch in view.branches.dropFirst() {
            var reads: [NodeID] = []
            var searches: [NodeID] = []
            for node in branch.nodes {
                guard let event = view.event(node), event.kind == .action, let operation = event.operation?.lowercased() else { continue }
                if event.source == .graphActivityLogs {
                    guard operation.hasPrefix("get ") else { continue }
                    if operation.contains("search"), Self.searchWords.contains(where: { operation.contains($0) }) { searches.append(node) }
                    if Self.graphPaths.contains(where: { operation.contains($0) }) { reads.append(node) }
                } else if Self.auditOperations.contains(operation) {
                    reads.append(node)
                }
            }
            let burst = maxPerHour(reads, view)
            guard burst >= Self.threshold || !searches.isEmpty else { continue }
            let what = !searches.isEmpty ? "searched mail or files for credentials" : "read \(burst) mail items or files within an hour"
            findings.append(RawFinding(
                rule: id, family: family, severity: .medium, session: view.index, branch: branch.index, nodes: searches + reads,
                summary: "From branch \(view.describe(branch)), \(view.user() ?? "the user")'s session \(what).",
                reason: "\(reads.count) reads (peak \(burst) per hour, threshold \(Self.threshold)), \(searches.count) credential searches"))
        }
        return findings
    }

    func maxPerHour(_ nodes: [NodeID], _ view: SessionView) -> Int {
        let times = nodes.map { view.graph.nodes[Int($0)].time }.sorted()
        var best = 0
        var start = 0
        for end in times.indices {
            while times[start].seconds(until: times[end]) > 3600 { start += 1 }
            best = max(best, end - start + 1)
        }
        return best
    }
}
