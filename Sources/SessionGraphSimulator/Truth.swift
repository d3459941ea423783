import Foundation

/// A small JSON tree written with sorted keys and two-space indentation, for `truth.json`.
indirect enum JSONTree {
    case string(String)
    case int(Int)
    case bool(Bool)
    case array([JSONTree])
    case object([String: JSONTree])

    func write(into b: inout ByteBuffer, indent: Int) {
        switch self {
        case .string(let s): b.str(s)
        case .int(let i): b.int(i)
        case .bool(let v): b.bool(v)
        case .array(let items):
            if items.isEmpty { b.raw("[]"); return }
            b.raw("[\n")
            for (i, item) in items.enumerated() {
                if i > 0 { b.raw(",\n") }
                b.raw(String(repeating: " ", count: indent + 2))
                item.write(into: &b, indent: indent + 2)
            }
            b.byte(0x0A)
            b.raw(String(repeating: " ", count: indent))
            b.byte(0x5D)
        case .object(let members):
            if members.isEmpty { b.raw("{}"); return }
            b.raw("{\n")
            for (i, key) in members.keys.sorted().enumerated() {
                if i > 0 { b.raw(",\n") }
                b.raw(String(repeating: " ", count: indent + 2))
                b.str(key)
                b.raw(": ")
                members[key]!.write(into: &b, indent: indent + 2)
            }
            b.byte(0x0A)
            b.raw(String(repeating: " ", count: indent))
            b.byte(0x7D)
        }
    }
}

enum Truth {
    static func time(_ t: Micros) -> JSONTree {
        var b = ByteBuffer(capacity: 32)
        b.time(t, .isoSecondsZ)
        return .string(b.string)
    }

    static func document(config: SimulatorConfiguration, tenant: Tenant, files: [SimulationSummary.FileCount], stats: ChunkEmitter.Stats,
                         incidents: [IncidentTruth], benign: [BenignNote], benignTotals: [String: Int]) -> String {
        var fileCounts: [String: JSONTree] = [:]
        for f in files { fileCounts[f.path] = .object(["records": .int(f.records), "bytes": .int(f.bytes)]) }
        let incidentList: [JSONTree] = incidents.sorted { $0.number < $1.number }.map { i in
            .object([
                "number": .int(i.number + 1),
                "scenario": .string(i.scenario.rawValue),
                "name": .string(i.scenario.title),
                "user": .string(i.user),
                "userId": .string(i.userId),
                "sessionId": .string(i.sessionId),
                "victimDeviceId": .string(i.victimDeviceId),
                "rootRequestId": .string(i.rootRequestId),
                "attackerIPs": .array(i.attackerIPs.map { .string($0) }),
                "attackerASNs": .array(i.attackerASNs.map { .int($0) }),
                "attackerCountries": .array(i.attackerCountries.map { .string($0) }),
                "attackerTokens": .array(i.attackerTokens.map { .string($0) }),
                "attackerSignInIds": .array(i.attackerSignInIds.map { .string($0) }),
                "actions": .array(i.actions.map { .string($0) }),
                "start": time(i.start),
                "end": time(i.end),
                "expectedFamilies": .array(i.families.map { .string($0) }),
                "note": .string(i.note),
            ])
        }
        var totals: [String: JSONTree] = [:]
        for (kind, count) in benignTotals { totals[kind] = .int(count) }
        let root: JSONTree = .object([
            "generator": .string("sessiongraph simulate (SessionGraphSimulator)"),
            "seed": .string(String(config.seed)),
            "users": .int(config.users),
            "days": .int(config.days),
            "start": .string(config.startDate),
            "layout": .string(config.layout.rawValue),
            "tenantId": .string(tenant.tenantId.string),
            "domain": .string(tenant.domain),
            "servicePrincipals": .int(tenant.servicePrincipals.count),
            "counts": .object([
                "signIns": .int(stats.interactive + stats.nonInteractive + stats.servicePrincipal),
                "interactiveSignIns": .int(stats.interactive),
                "nonInteractiveSignIns": .int(stats.nonInteractive),
                "servicePrincipalSignIns": .int(stats.servicePrincipal),
                "failedSignIns": .int(stats.failures),
                "graphRequests": .int(stats.graph),
                "cloudAppEvents": .int(stats.cloudApp),
                "auditRecords": .int(stats.audit),
                "redeliveredDuplicates": .int(stats.redelivered),
            ]),
            "files": .object(fileCounts),
            "incidents": .array(incidentList),
            "benign": .object([
                "totals": .object(totals),
                "examples": .array(benign.map { n in
                    .object(["kind": .string(n.kind), "user": .string(n.user), "sessionId": .string(n.sessionId), "detail": .string(n.detail)])
                }),
            ]),
        ])
        var b = ByteBuffer(capacity: 1 << 16)
        root.write(into: &b, indent: 0)
        b.byte(0x0A)
        return b.string
    }
}
