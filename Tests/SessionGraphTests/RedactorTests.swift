import Foundation
import Testing
@testable import SessionGraph

/// `--redact`: one consistent pseudonym per value across every output; /24 groups and ASNs stay
/// visible; nothing identifying is left.
@Suite struct RedactorTests {
    @Test func pseudonymisesConsistentlyAcrossOutputs() throws {
        let graph = try GraphBuilderTests().fixture()
        let findings = Detector.run(graph)
        let redactor = Redactor(events: graph.events)
        let dot = redactor.apply(SessionDiagram().dot(graph.sessions[0], in: graph, findings: findings))
        let json = String(decoding: redactor.apply(FindingsReport.document(findings, inputs: ["x"], generatedAt: UTCInstant(seconds: 0))), as: UTF8.self)
        for secret in ["alice@contoso.example", "203.0.113.10", "198.51.100.7", "dev-laptop", GraphBuilderTests.alice] {
            #expect(!dot.contains(secret), "DOT still shows \(secret)")
            #expect(!json.contains(secret), "findings still show \(secret)")
        }
        // The same value has the same pseudonym everywhere; two addresses of one /24 share a prefix.
        let pseudonym = try #require(redactor.mapping.first { $0.original == "203.0.113.10" }?.pseudonym)
        let sibling = try #require(redactor.mapping.first { $0.original == "203.0.113.11" }?.pseudonym)
        #expect(dot.contains(pseudonym))
        #expect(pseudonym.split(separator: ".").prefix(3) == sibling.split(separator: ".").prefix(3))
        #expect(pseudonym.hasSuffix(".10") && sibling.hasSuffix(".11"))
        #expect(dot.contains("AS14061"), "ASNs stay visible")
        let map = String(decoding: redactor.mappingDocument(), as: UTF8.self)
        #expect(map.contains("alice@contoso.example"), "the mapping keeps the originals for the analyst")
    }
}
