import Foundation

/// The wall time of each step of a stage, and the CPU time the process spent in it (on all
/// cores: a step that keeps two cores busy shows twice its wall time), said on stderr as one
/// `profile <stage>:` line when `SESSIONGRAPH_PROFILE=1`; costs nothing otherwise.
struct StepProfile {
    static let enabled = ProcessInfo.processInfo.environment["SESSIONGRAPH_PROFILE"] == "1"

    private let stage: String
    private var last = DispatchTime.now().uptimeNanoseconds
    private var lastCPU = StepProfile.enabled ? ProcessUsage.cpuSeconds() : 0
    private var steps: [String] = []

    init(_ stage: String) { self.stage = stage }

    /// Ends the step called `name`, begun when the previous one ended.
    mutating func mark(_ name: String) {
        guard Self.enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let cpu = ProcessUsage.cpuSeconds()
        steps.append(name + " " + String(format: "%.3f s (cpu %.3f s)", Double(now - last) / 1e9, cpu - lastCPU))
        last = now
        lastCPU = cpu
    }

    func report() {
        guard Self.enabled else { return }
        FileHandle.standardError.write(Data("profile \(stage): \(steps.joined(separator: ", "))\n".utf8))
    }
}

/// The process's own use of the machine, for profiles.
package enum ProcessUsage {
    /// User and system time of every thread of the process so far, in seconds.
    package static func cpuSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
