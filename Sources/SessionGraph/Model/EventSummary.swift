extension Event {
    /// A one-line human summary: who did what from where, with the linking ids (the events
    /// export's `message`, a finding's evidence, the terminal's session and token views).
    public var summaryLine: String {
        // One string grown in place (an evidence line is written for every finding's events).
        var text = ""
        text.reserveCapacity(192)
        func add(_ piece: String) {
            text += " "
            text += piece
        }
        text += userPrincipalName ?? userDisplayName ?? userId ?? servicePrincipalId ?? "unknown identity"
        switch kind {
        case .signIn:
            add(interactive == true ? "interactive sign-in to" : "non-interactive sign-in to")
            add(appName ?? appId ?? "?")
            if let result = result { add(result) }
        case .action:
            add(operation ?? "?")
            if let workload = workload {
                text += " ["
                text += workload
                text += "]"
            }
        }
        if let ip = ipAddress {
            text += " from "
            text += ip
        }
        if let sid = sessionId {
            text += " sid "
            text += sid
        }
        if let uti = uniqueTokenId {
            text += " uti "
            text += uti
        }
        return text
    }
}
