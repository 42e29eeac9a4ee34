import Foundation

/// CPU time and memory of processes, from Linux's `/proc`.
enum ProcessStats {
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// Fields of `/proc/PID/stat` after the command name, which may itself hold spaces:
    /// index 0 is field 3 (state), so ppid is 1, utime 11, stime 12.
    private static func statFields(_ pid: Int32) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
    }

    /// utime + stime in milliseconds.
    static func cpuMilliseconds(_ pid: Int32) -> Double {
        guard let fields = statFields(pid), fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / ticksPerSecond * 1000
    }

    /// The CPU time of `pid` and of its live children (PostgreSQL's backends).
    static func treeCPUMilliseconds(_ pid: Int32) -> Double {
        var total = cpuMilliseconds(pid)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let child = Int32(entry), let fields = statFields(child), fields.count > 1, fields[1] == "\(pid)" else { continue }
            total += cpuMilliseconds(child)
        }
        return total
    }

    /// Peak resident set size (`VmHWM`) in MiB.
    static func peakRSSMiB(_ pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kib = line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
            return kib / 1024
        }
        return 0
    }

    /// This process's own CPU time in milliseconds: the load driver's cost.
    static func ownCPUMilliseconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let user = Double(usage.ru_utime.tv_sec) * 1000 + Double(usage.ru_utime.tv_usec) / 1000
        let system = Double(usage.ru_stime.tv_sec) * 1000 + Double(usage.ru_stime.tv_usec) / 1000
        return user + system
    }
}
