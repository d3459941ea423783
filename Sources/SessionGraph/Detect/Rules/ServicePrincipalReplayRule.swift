/// `tok-sp-replay`: a workload identity's app-only token used from another network than the
/// service-principal sign-in that minted it (detections.md §3.2, NS-SPR). High; same ASN (NAT
/// pools) ⇒ low. Managed-identity sign-ins carry no IP and are skipped.
struct ServicePrincipalReplayRule: RunRule {
    let id = "tok-sp-replay"
    let family = FindingFamily.tokenReplay

    func evaluate(_ input: DetectionInput) -> [RawFinding] {
        let graph = input.graph
        let none = TextVocabulary.none
        var minted: [CompactIdentifier: Int32] = [:]
        for (index, event) in graph.events.enumerated() where event.source == .servicePrincipalSignInLogs {
            if let uti = event.tokenKey, event.ipAddressCode != none { minted[uti] = Int32(index) }
        }
        guard !minted.isEmpty else { return [] }
        var groups: [Int32: [Int32]] = [:]
        var order: [Int32] = []
        for (index, event) in graph.events.enumerated() where event.kind == .action {
            guard let uti = event.tokenKey, let signIn = minted[uti] else { continue }
            let ip = event.ipAddressCode, mintIP = graph.events[Int(signIn)].ipAddressCode
            guard ip != none, mintIP != none, ip != mintIP else { continue }
            if groups[signIn] == nil { order.append(signIn) }
            groups[signIn, default: []].append(Int32(index))
        }
        // The ASN of each address a finding names (mint and first use), from the first event
        // with that address that reported one: looked up only for those addresses, so no table
        // of every address in the run is built (0 marks one not yet found; ASNs are positive).
        // Addresses are compared as vocabulary codes.
        var asnByIP: [UInt32: Int] = [:]
        for signIn in order {
            for event in [signIn, groups[signIn]![0]] {
                let ip = graph.events[Int(event)].ipAddressCode
                if ip != none { asnByIP[ip] = 0 }
            }
        }
        var unresolved = asnByIP.count
        for event in graph.events {
            guard unresolved > 0 else { break }
            let ip = event.ipAddressCode
            if ip != none, asnByIP[ip] == 0, let asn = event.asn {
                asnByIP[ip] = asn
                unresolved -= 1
            }
        }
        asnByIP = asnByIP.filter { $0.value != 0 }
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
