/// `tok-sp-replay`: a workload identity's app-only token used from another network than the
/// service-principal sign-in that minted it (detections.md §3.2, NS-SPR). High; same ASN (NAT
/// pools) ⇒ low. Managed-identity sign-ins carry no IP and are skipped.
struct ServicePrincipalReplayRule: RunRule {
    let id = "tok-sp-replay"
    let family = FindingFamily.tokenReplay

    func evaluate(_ input: DetectionInput) -> [RawFinding] {
        let graph = input.graph
        let none = TextVocabulary.none
        // The link stage matched every action's token to its minting sign-in (the first sign-in
        // with that token id): only the uses of a service principal's tokens are read here.
        var groups: [Int32: [Int32]] = [:]
        var order: [Int32] = []
        for use in graph.servicePrincipalTokenUses {
            let ip = graph.events[Int(use.action)].ipAddressCode, mintIP = graph.events[Int(use.signIn)].ipAddressCode
            guard ip != none, mintIP != none, ip != mintIP else { continue }
            if groups[use.signIn] == nil { order.append(use.signIn) }
            groups[use.signIn, default: []].append(use.action)
        }
        guard !order.isEmpty else { return [] }
        // The ASN of each address a finding names (mint and first use): the link stage's, from
        // the first event with that address that reported one.
        let asnByIP = graph.asnByIP
        return order.map { signIn in
            let sp = graph.events[Int(signIn)]
            let uses = groups[signIn]!
            let use = graph.events[Int(uses[0])]
            let mintASN = sp.asn ?? asnByIP[sp.ipAddressCode]
            let useASN = asnByIP[use.ipAddressCode]
            let sameNetwork = mintASN != nil && mintASN == useASN
            return RawFinding(
                rule: id, family: family, severity: sameNetwork ? .low : .high, session: nil, branch: nil, events: [signIn] + uses,
                summary: "The app-only token \(sp.uniqueTokenId ?? "?") of \(sp.appName ?? sp.appId ?? "a service principal") was used from \(use.ipAddress ?? "?"), not from \(sp.ipAddress ?? "?") where it was issued.",
                reason: "minted at \(sp.ipAddress ?? "?")\(mintASN.map { " (AS\($0))" } ?? ""), used from \(use.ipAddress ?? "?")\(useASN.map { " (AS\($0))" } ?? "")",
                adjustments: sameNetwork ? ["capped at low: same ASN (NAT pool)"] : [])
        }
    }
}
