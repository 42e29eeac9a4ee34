import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// CPU time and resident memory of this process, from Linux's `/proc` (proc(5)); `nil` elsewhere.
struct ProcessStatistics {
    let cpuSeconds: Double
    let residentBytes: Int

    static func current() -> ProcessStatistics? {
        #if os(Linux)
            guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
                let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
            else { return nil }
            // The command name in field 2 may contain spaces: count fields after its closing parenthesis.
            guard let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // Fields 14 and 15 (utime, stime) are the 12th and 13th after the name.
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
            let pages = statm.split(separator: " ")
            guard pages.count > 1, let resident = Int(pages[1]) else { return nil }
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
            guard ticks > 0 else { return nil }
            return ProcessStatistics(cpuSeconds: (user + system) / ticks, residentBytes: resident * pageSize)
        #else
            return nil
        #endif
    }
}
