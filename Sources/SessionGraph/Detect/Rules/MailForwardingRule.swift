import Foundation

/// `act-mail-forwarding`: mail forwarded outside the organisation by an inbox rule
/// (`ForwardTo`, `ForwardAsAttachmentTo`, `RedirectTo`), mailbox forwarding (`Set-Mailbox`
/// `ForwardingSmtpAddress`/`ForwardingAddress`) or a transport rule (detections.md §3.5,
/// EL-INBOXFWD). External = a domain that is not the tenant's (the UPN suffixes of the data, or
/// `tenantDomains` in the configuration). Medium; high for transport rules.
struct MailForwardingRule: SessionRule {
    let id = "act-mail-forwarding"
    let family = FindingFamily.riskyAction
    static let forwardingParameters: Set<String> = ["forwardto", "forwardasattachmentto", "redirectto", "forwardingsmtpaddress", "forwardingaddress", "redirectmessageto", "blindcopyto"]

    /// Whether `operation` can set up forwarding: an inbox rule, `Set-Mailbox` or a transport rule.
    static func mayForward(_ operation: String) -> Bool {
        operation.hasSuffixIgnoringASCIICase("-inboxrule") || operation.equalsIgnoringASCIICase("set-mailbox")
            || operation.hasSuffixIgnoringASCIICase("-transportrule")
    }

    func evaluate(_ view: SessionView) -> [RawFinding] {
        let graph = view.graph
        var findings: [RawFinding] = []
        for node in view.session.nodes where graph.nodes[Int(node)].kind == .action {
            guard let event = view.event(node), view.input.operations.of(event).mayForward, let operation = event.operation else { continue }
            let targets = event.parameters.filter { Self.forwardingParameters.contains($0.name.lowercased()) && !$0.value.isEmpty }.map(\.value)
            let external = targets.flatMap { $0.split(whereSeparator: { $0 == ";" || $0 == "," || $0 == " " }) }.map(String.init).filter { address in
                guard let at = address.lastIndex(of: "@") else { return false }
                let domain = address[address.index(after: at)...].lowercased().trimmingCharacters(in: ["\"", "'", "]", ">"])
                return !view.input.tenantDomains.contains(domain)
            }
            guard !external.isEmpty else { continue }
            findings.append(RawFinding(
                rule: id, family: family, severity: operation.hasSuffixIgnoringASCIICase("-transportrule") ? .high : .medium, session: view.index,
                branch: graph.nodes[Int(node)].branch, nodes: [node],
                summary: "\(view.user() ?? "A user")'s mail is forwarded to \(external.prefix(3).map { TerminalText.safe($0, limit: 80) }.joined(separator: ", ")) (\(event.operation ?? "") at \(event.time.iso8601)).",
                reason: "forwarding target outside \(view.input.tenantDomainsText)"))
        }
        return findings
    }
}
