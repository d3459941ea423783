import Foundation

/// Writes output files so that an interrupted run never leaves a half-written one: the data
/// goes to a temporary file in the same folder, which is then renamed over the target.
public enum OutputFile {
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try data.write(to: temporary)
        // rename(2) replaces the target atomically on the same file system.
        guard rename(temporary.path, url.path) == 0 else {
            let message = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot rename into \(path): \(message)"])
        }
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// A file name for a session's outputs: its id when that is a plain GUID (it always is after
    /// ingest), else `session-<index>`; never raw input, so an id such as `../../x` cannot leave
    /// the output folder. `index` disambiguates a session id shared by two users.
    public static func sessionFileName(sessionId: String, index: Int, shared: Bool) -> String {
        let plain = !sessionId.isEmpty && sessionId.utf8.count <= 64
            && sessionId.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) || $0 == "-" }
        let base = plain ? sessionId : "session-\(index)"
        return shared ? "\(base)-\(index)" : base
    }
}
