internal import CGraphviz
import Foundation

/// An output format Graphviz renders in process.
public enum RenderFormat: String, Sendable, CaseIterable {
    case svg
    case png
    case pdf
}

/// Errors from the Graphviz C library, with its own message.
public enum GraphvizError: Error, Equatable, Sendable, CustomStringConvertible {
    case contextUnavailable
    case syntax(String)
    case layout(String)
    case render(format: String, message: String)

    public var description: String {
        switch self {
        case .contextUnavailable: return "Graphviz could not start (is libgvc6 installed with its plugin configuration?)"
        case .syntax(let message): return "Graphviz rejected the DOT: \(message)"
        case .layout(let message): return "Graphviz layout failed: \(message)"
        case .render(let format, let message): return "Graphviz could not render \(format): \(message)"
        }
    }
}

/// Lays out and renders DOT in process through libgvc (no `dot` subprocess).
///
/// libcgraph/libgvc keep process-global state (error buffer, lexer, attribute dictionaries), so
/// every call goes through this one actor and its one context (swift-graphviz.md §1.4). Every C
/// resource is released on every path: `sg_read_dot` (agread with a deterministic ID
/// discipline)/`agclose`, `gvLayout`/`gvFreeLayout`, `gvRenderData`/`gvFreeRenderData`,
/// `aglasterr`/`free`. Errors are captured with
/// `agseterr(AGMAX)` + `aglasterr()`, never with an `agseterrf` callback, which crashes
/// Graphviz 2.42 on long messages (§1.5).
public actor GraphvizRenderer {
    public static let shared: GraphvizRenderer? = try? GraphvizRenderer()

    private let context: OpaquePointer

    private init() throws(GraphvizError) {
        _ = agseterr(AGMAX)
        guard let context = gvContext() else { throw .contextUnavailable }
        self.context = context
    }

    isolated deinit { gvFreeContext(context) }

    /// Lays out `dot` with the `dot` engine and renders it to `format`.
    public func render(dot: String, format: RenderFormat) throws(GraphvizError) -> [UInt8] {
        _ = agreseterrors()
        // Read with the deterministic object IDs of the shim (CGraphviz/shim.h), not agmemread:
        // the same DOT then always gets the same layout.
        guard let graph = dot.withCString({ sg_read_dot($0) }) else { throw .syntax(Self.lastMessage()) }
        defer { agclose(graph) }
        guard agerrors() < 1 else { throw .syntax(Self.lastMessage()) }
        guard gvLayout(context, graph, "dot") == 0 else { throw .layout(Self.lastMessage()) }
        defer { gvFreeLayout(context, graph) }
        var data: UnsafeMutablePointer<CChar>?
        var length: UInt32 = 0
        guard gvRenderData(context, graph, format.rawValue, &data, &length) == 0, let data else {
            throw .render(format: format.rawValue, message: Self.lastMessage())
        }
        defer { gvFreeRenderData(data) }
        return [UInt8](UnsafeRawBufferPointer(start: data, count: Int(length)))
    }

    private static func lastMessage() -> String {
        guard let message = aglasterr() else { return "no message from Graphviz" }
        defer { free(message) }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
