import Foundation

/// The wall time of each step of a stage, said on stderr as one `profile <stage>:` line when
/// `SESSIONGRAPH_PROFILE=1` (the benchmark reads it); costs nothing otherwise.
struct StepProfile {
    static let enabled = ProcessInfo.processInfo.environment["SESSIONGRAPH_PROFILE"] == "1"

    private let stage: String
    private var last = DispatchTime.now().uptimeNanoseconds
    private var steps: [String] = []

    init(_ stage: String) { self.stage = stage }

    /// Ends the step called `name`, begun when the previous one ended.
    mutating func mark(_ name: String) {
        guard Self.enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        steps.append(name + " " + String(format: "%.3f", Double(now - last) / 1e9) + " s")
        last = now
    }

    func report() {
        guard Self.enabled else { return }
        FileHandle.standardError.write(Data("profile \(stage): \(steps.joined(separator: ", "))\n".utf8))
    }
}
