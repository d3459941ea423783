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
}
