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

    /// Writes the text `body` sends to its stream, through a buffer, to `path` (by way of a
    /// temporary file, as ``write(_:to:)-(Data,_)`` does): a document of hundreds of megabytes
    /// is never whole in memory.
    public static func stream(to path: String, _ body: (inout FileTextStream) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        guard let file = fopen(temporary.path, "w") else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot create \(temporary.path): \(String(cString: strerror(errno)))"])
        }
        var stream = FileTextStream(file: file)
        do {
            try body(&stream)
        } catch {
            fclose(file)
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        let failed = ferror(file) != 0
        let closed = fclose(file) == 0
        guard !failed, closed else {
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot write \(path)"])
        }
        guard rename(temporary.path, url.path) == 0 else {
            let message = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot rename into \(path): \(message)"])
        }
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

/// A text stream into an open file, buffered by the C library; a write error is kept by the file
/// and reported when ``OutputFile/stream(to:_:)`` closes it.
public struct FileTextStream: TextOutputStream {
    private let file: UnsafeMutablePointer<FILE>

    init(file: UnsafeMutablePointer<FILE>) {
        self.file = file
        setvbuf(file, nil, _IOFBF, 1 << 20)
    }

    public mutating func write(_ string: String) {
        var text = string
        text.withUTF8 { bytes in
            if let base = bytes.baseAddress { _ = fwrite(base, 1, bytes.count, file) }
        }
    }
}
