import Foundation
import SessionGraph
import SessionGraphRenderer

/// Renders session diagrams for the commands: DOT from the library, SVG/PNG/PDF through the
/// in-process Graphviz renderer.
enum DiagramWriter {
    static func render(_ dot: String, format: RenderFormat) async throws -> [UInt8] {
        guard let renderer = GraphvizRenderer.shared else { throw GraphvizError.contextUnavailable }
        return try await renderer.render(dot: dot, format: format)
    }

    /// A file name for a session: its id when it is a GUID (it always is after ingest), else a
    /// hash; never raw input, so `../../x` cannot leave the output folder.
    static func fileName(for session: SessionChain, index: Int, duplicates: Bool) -> String {
        let safe = session.sessionId.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) || $0 == "-" } && session.sessionId.count <= 64
        let base = safe ? session.sessionId : "session-\(index)"
        return duplicates ? "\(base)-\(index)" : base
    }
}
