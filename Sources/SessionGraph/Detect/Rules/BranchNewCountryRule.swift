/// `sess-branch-new-country`: a branch in a country the root branch never was in
/// (detections.md §3.1). Needs at least two successful nodes with a country in the branch
/// (geo-IP errors on mobile carriers). Medium; high with impossible travel or a hosting ASN
/// (the travel lift is applied by the detector). Graph activity has no client geography.
struct BranchNewCountryRule: SessionRule {
    let id = "sess-branch-new-country"
    let family = FindingFamily.contextDivergence

    func evaluate(_ view: SessionView) -> [RawFinding] {
        let failure = FactCodes.shared.failure
        let reference = view.reference
        guard !reference.countries.isEmpty else { return [] }
        var findings: [RawFinding] = []
        // The reference's text, made once a session (not once a branch) when a finding needs it.
        var referenceText: (countries: String, place: String)?
        for branch in view.branches.dropFirst() {
            let new = branch.countries.subtracting(reference.countries)
            guard !new.isEmpty else { continue }
            let located = branch.nodes.filter { node in
                view.graph.nodes[Int(node)].context.country.map(new.contains) == true && view.event(node)?.outcomeCode != failure
            }
            guard located.count >= 2 else { continue }
            let shown = referenceText ?? (reference.countries.sorted().joined(separator: "/"), view.describe(reference))
            referenceText = shown
            findings.append(RawFinding(
                rule: id, family: family, severity: branch.hosting ? .high : .medium, session: view.index, branch: branch.index,
                nodes: located,
                summary: "Session \(view.session.sessionId) of \(view.user() ?? "unknown user") moved from \(shown.countries) to \(new.sorted().joined(separator: "/")).",
                reason: "root \(shown.place), branch \(view.describe(branch))", roamingCap: true))
        }
        return findings
    }
}
